from __future__ import annotations

import json

import numpy as np
import pytest

from assay.quality.signals import MinHasher, find_near_duplicates
from tests.quality.signals.crowd import human_text


def edit(text: str, rng: np.random.Generator, n_edits: int) -> str:
    words = text.split()
    for _ in range(n_edits):
        words[int(rng.integers(len(words)))] = "edited"
    return " ".join(words)


def test_minhash_estimate_tracks_exact_jaccard() -> None:
    hasher = MinHasher(num_perm=256, seed=3)
    rng = np.random.default_rng(0)
    base = " ".join(human_text(rng, bullets=False) for _ in range(4))
    other = edit(base, rng, 12)
    a, b = hasher.shingles(base), hasher.shingles(other)
    signatures = hasher.signatures([a, b])
    exact = np.intersect1d(a, b).size / np.union1d(a, b).size
    estimate = float(np.mean(signatures[0] == signatures[1]))
    assert abs(estimate - exact) < 0.08


def test_hashing_is_stable_across_calls_and_seeded() -> None:
    text = "The same words, hashed twice."
    assert np.array_equal(MinHasher().shingles(text), MinHasher().shingles(text))
    first = MinHasher(seed=1).signatures([MinHasher().shingles(text)])
    second = MinHasher(seed=2).signatures([MinHasher().shingles(text)])
    assert not np.array_equal(first, second)
    word = MinHasher(shingle="word", k=2)
    assert word.shingles("a b c").size == 2
    assert MinHasher(k=50).shingles("short").size == 1  # shorter than k: one shingle


def test_copied_text_is_found_among_independent_answers() -> None:
    rng = np.random.default_rng(1)
    texts = [" ".join(human_text(rng, bullets=False) for _ in range(2)) for _ in range(300)]
    workers = [f"w{i}" for i in range(300)]
    texts.append(edit(texts[17], rng, 3))
    workers.append("copier")
    texts.append(texts[40].upper())  # case is normalised away
    workers.append("shouter")
    pairs = find_near_duplicates(texts, workers)
    found = {(p.worker_first, p.worker_second) for p in pairs}
    assert found == {("w17", "copier"), ("w40", "shouter")}
    assert pairs[0].jaccard == 1.0
    assert all(p.jaccard >= 0.7 and p.estimate > 0.5 for p in pairs)
    json.dumps(pairs[0].as_dict())


def test_same_worker_pairs_are_skipped_unless_asked() -> None:
    text = "an answer long enough to have plenty of shingles in it"
    assert find_near_duplicates([text, text], ["w", "w"]) == []
    assert len(find_near_duplicates([text, text], ["w", "w"], cross_worker_only=False)) == 1
    assert find_near_duplicates([text, text])[0].worker_first is None


def test_short_and_empty_texts_are_skipped() -> None:
    assert find_near_duplicates(["ok", "ok", "", ""]) == []
    assert find_near_duplicates(["single text only, long enough"]) == []


def test_near_duplicates_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        find_near_duplicates([])
    with pytest.raises(ValueError, match="same length"):
        find_near_duplicates(["a", "b"], ["w"])
    with pytest.raises(ValueError, match="divide"):
        find_near_duplicates(["a"], bands=3)
    with pytest.raises(ValueError, match="shingle"):
        MinHasher(shingle="line")  # type: ignore[arg-type]
