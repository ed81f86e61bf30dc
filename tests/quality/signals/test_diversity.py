from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import (
    distinct_n,
    diversity_report,
    mean_pairwise_similarity,
    ngram_vectors,
    similarity_clusters,
)

TEXTS = [
    "the cat sat on the mat",
    "the cat sat on a mat",
    "the cat sat on the mat today",
    "dogs run fast in parks",
    "a dog runs fast in the park",
    "quantum fields are weird",
]


def test_vectors_are_unit_tf_idf_rows() -> None:
    vectors = ngram_vectors(TEXTS)
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1))).ravel()
    assert np.allclose(norms, 1.0)
    chars = ngram_vectors(TEXTS, analyzer="char", ngram_range=(3, 4))
    assert chars.shape[0] == len(TEXTS) and chars.shape[1] > vectors.shape[1]


def test_mean_similarity_matches_brute_force() -> None:
    vectors = ngram_vectors(TEXTS)
    dense = vectors.toarray()
    sims = dense @ dense.T
    brute = (sims.sum() - np.trace(sims)) / (len(TEXTS) * (len(TEXTS) - 1))
    assert mean_pairwise_similarity(vectors) == pytest.approx(brute)
    assert mean_pairwise_similarity(np.ones((3, 4))) == pytest.approx(1.0)
    assert mean_pairwise_similarity(np.eye(3)) == pytest.approx(0.0)


def test_clusters_surface_the_look_alikes() -> None:
    vectors = ngram_vectors(TEXTS)
    for method in ("average", "threshold"):
        clusters = similarity_clusters(vectors, threshold=0.4, method=method)  # type: ignore[arg-type]
        assert clusters[0].members == [0, 1, 2]
        assert clusters[0].representative == 0
        assert clusters[0].mean_similarity > 0.6


def test_distinct_n() -> None:
    assert distinct_n(["a b c d"], 1) == 1.0
    assert distinct_n(["a a a a"], 1) == 0.25
    assert distinct_n(["a b a b"], 2) == pytest.approx(2 / 3)
    assert distinct_n(["a"], 2) == 0.0


def test_report_flags_templated_writing() -> None:
    rng = np.random.default_rng(0)
    words = ["river", "stone", "light", "dark", "quiet"]
    words += ["storm", "morning", "glass", "field", "silver"]
    varied = [" ".join(rng.choice(words, 12)) for _ in range(40)]
    templated = [f"Once upon a time a brave knight found the {w} sword." for w in words * 4]
    assert not diversity_report(varied).signal().flagged
    report = diversity_report(templated)
    assert report.signal().flagged
    assert len(report.clusters[0].members) >= 30
    assert report.representatives[0].startswith("Once upon a time")
    assert report.distinct_2 < diversity_report(varied).distinct_2


def test_report_accepts_embeddings() -> None:
    embeddings = np.vstack([np.tile([1.0, 0.0], (3, 1)), np.tile([0.0, 1.0], (2, 1))])
    report = diversity_report(["a", "b", "c", "d", "e"], embeddings=embeddings)
    assert [c.members for c in report.clusters] == [[0, 1, 2], [3, 4]]
    assert report.mean_similarity == pytest.approx((6 + 2) / 20)


def test_diversity_edge_cases() -> None:
    with pytest.raises(ValueError, match="empty"):
        ngram_vectors([])
    with pytest.raises(ValueError, match="two texts"):
        diversity_report(["only one"])
    with pytest.raises(ValueError, match="two texts"):
        mean_pairwise_similarity(ngram_vectors(["one"]))
    with pytest.raises(ValueError, match="one row per text"):
        diversity_report(["a", "b"], embeddings=np.ones((3, 2)))
    with pytest.raises(ValueError, match="threshold"):
        similarity_clusters(np.eye(2), threshold=0.0)
    identical = diversity_report(["same words"] * 3)
    assert identical.mean_similarity == pytest.approx(1.0)
    assert identical.clusters[0].members == [0, 1, 2]
    assert similarity_clusters(np.ones((1, 2)), min_size=1)[0].members == [0]
