"""Diversity of creative work: how alike the collected texts are, and which ones cluster."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, non_empty
from assay.quality.signals.signal import Signal, make_signal

Vectors: TypeAlias = "sp.csr_array | NDArray[np.float64]"
_TOKEN = re.compile(r"\w+")


def _grams(text: str, sizes: tuple[int, int], analyzer: str) -> list[str]:
    """Return the word or character n-grams of a text for every size in the range."""
    lowered = text.lower()
    units: Sequence[str] = (
        _TOKEN.findall(lowered) if analyzer == "word" else " ".join(lowered.split())
    )
    joiner = " " if analyzer == "word" else ""
    return [
        joiner.join(units[i : i + n])
        for n in range(sizes[0], sizes[1] + 1)
        for i in range(len(units) - n + 1)
    ]


def ngram_vectors(
    texts: Sequence[str],
    *,
    ngram_range: tuple[int, int] = (1, 2),
    analyzer: Literal["word", "char"] = "word",
) -> sp.csr_array:
    """Return TF-IDF vectors of the texts' n-grams, one L2-normalised row per text.

    Weights are ``count x (log((1 + N) / (1 + df)) + 1)`` (smoothed IDF), so words every text
    uses (the prompt's own words) count less than distinctive phrasing.

    Args:
        texts: The texts.
        ngram_range: Smallest and largest n.
        analyzer: ``"word"`` n-grams or ``"char"`` n-grams (for short texts or other scripts).

    Returns:
        A sparse (n_texts, n_grams) matrix.

    """
    non_empty(texts, "texts")
    low, high = ngram_range
    if not 1 <= low <= high:
        raise QualityInputError("ngram_range must be (low, high) with 1 <= low <= high")
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, text in enumerate(texts):
        for gram in _grams(text, (low, high), analyzer):
            rows.append(row)
            cols.append(vocabulary.setdefault(gram, len(vocabulary)))
    shape = (len(texts), max(len(vocabulary), 1))
    counts = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=shape)
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=shape[1])
    idf = np.log((1 + shape[0]) / (1 + df)) + 1.0
    weighted = sp.csr_array(counts @ sp.diags_array(idf))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).reshape(-1)
    norms[norms == 0] = 1.0
    return sp.csr_array(sp.diags_array(1.0 / norms) @ weighted)


def _normalised(vectors: Vectors) -> Vectors:
    """Return the rows scaled to unit length (dense embeddings are normalised here)."""
    if sp.issparse(vectors):
        return sp.csr_array(vectors)
    dense = np.asarray(vectors, dtype=np.float64)
    if dense.ndim != 2 or dense.shape[0] == 0:
        raise QualityInputError("vectors must be a non-empty 2-D array")
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(dense / norms, dtype=np.float64)


def _squared_norms(rows: Vectors) -> FloatArray:
    """Return each row's squared length."""
    if sp.issparse(rows):
        return np.asarray(sp.csr_array(rows).power(2).sum(axis=1), dtype=np.float64).reshape(-1)
    return np.asarray((np.asarray(rows) ** 2).sum(axis=1), dtype=np.float64)


def _dense(matrix: Vectors) -> FloatArray:
    """Return a dense float array of a sparse or dense matrix."""
    if sp.issparse(matrix):
        return np.asarray(sp.csr_array(matrix).toarray(), dtype=np.float64)
    return np.asarray(matrix, dtype=np.float64)


def mean_pairwise_similarity(vectors: Vectors) -> float:
    """Return the mean cosine similarity over all pairs of texts (0 = unrelated, 1 = identical).

    Computed in O(size) as ``(|sum x|^2 - sum |x|^2) / (n (n - 1))`` for unit rows.
    """
    rows = _normalised(vectors)
    n = rows.shape[0]
    if n < 2:
        raise QualityInputError("need at least two texts to compare")
    total = np.asarray(rows.sum(axis=0)).reshape(-1)
    self_similarity = float(_squared_norms(rows).sum())
    return float((total @ total - self_similarity) / (n * (n - 1)))


def distinct_n(texts: Sequence[str], n: int = 2) -> float:
    """Return distinct word n-grams / all word n-grams across the texts (1 = no repetition)."""
    non_empty(texts, "texts")
    if n < 1:
        raise QualityInputError("n must be >= 1", {"n": n})
    grams = [gram for text in texts for gram in _grams(text, (n, n), "word")]
    return len(set(grams)) / len(grams) if grams else 0.0


@dataclass(frozen=True)
class TextCluster:
    """A group of texts that are alike.

    Attributes:
        members: Indices of the texts in the cluster.
        representative: Index of the member most similar to the others (the medoid).
        mean_similarity: Mean pairwise cosine similarity inside the cluster.

    """

    members: list[int]
    representative: int
    mean_similarity: float


def similarity_clusters(
    vectors: Vectors,
    *,
    threshold: float = 0.5,
    method: Literal["threshold", "average"] = "average",
    min_size: int = 2,
) -> list[TextCluster]:
    """Group texts whose cosine similarity reaches ``threshold``, largest groups first.

    ``"threshold"`` links any two texts at or above the threshold and takes connected
    components (fast, but chains can grow); ``"average"`` is agglomerative average linkage cut
    at distance ``1 - threshold`` (tighter groups, O(n^2) memory: for up to a few thousand).
    """
    rows = _normalised(vectors)
    n = rows.shape[0]
    if not 0 < threshold <= 1:
        raise QualityInputError("threshold must be in (0, 1]", {"threshold": threshold})
    similarity = rows @ rows.T
    dense = _dense(similarity)
    if n == 1:
        labels = np.zeros(1, dtype=np.intp)
    elif method == "threshold":
        _, labels = connected_components(sp.csr_array(dense >= threshold), directed=False)
    elif method == "average":
        distance = np.clip(1.0 - dense, 0.0, 2.0)
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    else:
        raise QualityInputError("method must be 'threshold' or 'average'", {"method": method})
    return _clusters(dense, np.asarray(labels), min_size)


def _clusters(similarity: FloatArray, labels: NDArray[np.intp], min_size: int) -> list[TextCluster]:
    """Return the clusters of at least ``min_size`` members with medoid and cohesion."""
    found = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if members.size < max(min_size, 1):
            continue
        block = similarity[np.ix_(members, members)]
        size = members.size
        inner = (block.sum(axis=1) - np.diagonal(block)) / max(size - 1, 1)
        mean = float((block.sum() - np.trace(block)) / (size * (size - 1))) if size > 1 else 1.0
        found.append(TextCluster(members.tolist(), int(members[inner.argmax()]), mean))
    found.sort(key=lambda c: (-len(c.members), c.members[0]))
    return found


@dataclass(frozen=True)
class DiversityReport:
    """How varied a set of texts is, with the clusters of look-alikes.

    Attributes:
        texts: Number of texts.
        mean_similarity: Mean pairwise cosine similarity.
        distinct_1: Distinct-1 ratio (unique words / words).
        distinct_2: Distinct-2 ratio (unique word bigrams / bigrams).
        clusters: Groups of look-alike texts, largest first.
        representatives: The representative text of each cluster.

    """

    texts: int
    mean_similarity: float
    distinct_1: float
    distinct_2: float
    clusters: list[TextCluster] = field(default_factory=list)
    representatives: list[str] = field(default_factory=list)

    def signal(self, max_mean_similarity: float = 0.3) -> Signal:
        """Return a ``low_diversity`` signal: score = mean similarity, flagged at the maximum."""
        return make_signal(
            "low_diversity",
            self.mean_similarity,
            self.mean_similarity >= max_mean_similarity,
            max_mean_similarity,
            texts=self.texts,
            distinct_1=self.distinct_1,
            distinct_2=self.distinct_2,
            clusters=len(self.clusters),
            largest_cluster=len(self.clusters[0].members) if self.clusters else 0,
            representatives=[text[:200] for text in self.representatives[:5]],
        )


def diversity_report(
    texts: Sequence[str],
    *,
    embeddings: NDArray[np.float64] | None = None,
    threshold: float = 0.4,
) -> DiversityReport:
    """Measure how alike the texts are and surface clusters of look-alikes.

    Similarity uses ``embeddings`` when given (one row per text, from any model), else TF-IDF
    word 1-2-grams. IDF discounts words every text shares (the prompt's own words), so a
    fill-in-the-blank template whose texts differ in one word out of ten sits near 0.4
    cosine: hence the default cluster threshold of 0.4 (average linkage).
    """
    if len(texts) < 2:
        raise QualityInputError("need at least two texts", {"texts": len(texts)})
    vectors: Vectors = ngram_vectors(texts) if embeddings is None else embeddings
    if vectors.shape[0] != len(texts):
        raise QualityInputError("embeddings need one row per text")
    clusters = similarity_clusters(vectors, threshold=threshold)
    return DiversityReport(
        texts=len(texts),
        mean_similarity=mean_pairwise_similarity(vectors),
        distinct_1=distinct_n(texts, 1),
        distinct_2=distinct_n(texts, 2),
        clusters=clusters,
        representatives=[texts[c.representative] for c in clusters],
    )
