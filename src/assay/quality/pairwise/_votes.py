"""Pairwise votes coded once, and folded into per-pair outcome counts (the win-count matrix)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from assay.quality._encoding import FloatArray, IntArray, as_codes, require_columns
from assay.quality.errors import QualityInputError

LEFT, RIGHT, TIE = 0, 1, 2
_DENSE_KEYS = 1 << 24  # fold pairs with bincount below this many (item, item) keys


@dataclass(frozen=True)
class PairwiseVotes:
    """Integer-coded pairwise votes: one row per comparison.

    Attributes:
        left_idx: Item code shown on the left.
        right_idx: Item code shown on the right.
        outcome: 0 = left won, 1 = right won, 2 = tie.
        worker_idx: Worker code of each vote.
        n_items: Number of items.
        n_workers: Number of workers.

    """

    left_idx: IntArray
    right_idx: IntArray
    outcome: IntArray
    worker_idx: IntArray
    n_items: int
    n_workers: int

    @property
    def n_votes(self) -> int:
        """Number of votes."""
        return int(self.outcome.shape[0])


def check_votes(
    left_idx: ArrayLike,
    right_idx: ArrayLike,
    outcome: ArrayLike,
    worker_idx: ArrayLike | None = None,
    n_items: int | None = None,
    n_workers: int | None = None,
) -> PairwiseVotes:
    """Validate integer-coded votes (outcome 0 = left won, 1 = right won, 2 = tie).

    Raises:
        QualityInputError: On empty input, unequal lengths, self-comparisons or bad codes.

    """
    left, n_left = as_codes(left_idx, "left_idx", n_items)
    right, n_right = as_codes(right_idx, "right_idx", n_items)
    size = max(n_left, n_right) if n_items is None else n_items
    result, _ = as_codes(outcome, "outcome", 3)
    if worker_idx is None:
        worker_idx = np.zeros(result.shape, dtype=np.intp)
    workers, n_w = as_codes(worker_idx, "worker_idx", n_workers)
    if not (left.shape == right.shape == result.shape == workers.shape):
        raise QualityInputError("left_idx, right_idx, outcome and worker_idx differ in length")
    if left.size == 0:
        raise QualityInputError("no comparisons to rank: the input is empty")
    if (left == right).any():
        raise QualityInputError("an item cannot be compared with itself")
    return PairwiseVotes(left, right, result, workers, size, max(n_w, 1))


@dataclass(frozen=True)
class EncodedVotes:
    """Pairwise votes from a DataFrame with the original item and worker ids."""

    votes: PairwiseVotes
    items: NDArray[Any]
    workers: NDArray[Any]


def encode_votes(frame: pd.DataFrame) -> EncodedVotes:
    """Encode a ``worker, left, right, label`` frame; ``label`` is the winner, empty for a tie.

    Items are coded from the left and right columns together, as text (so ``1`` and ``"1"``
    name the same item), in order of first appearance; the label is compared with its row's
    two names rather than coded. Every row counts (a worker may compare the same pair more
    than once).

    Raises:
        QualityInputError: On missing columns, empty input, a missing item name or a label
            naming neither item.

    """
    require_columns(frame, ["worker", "left", "right", "label"])
    n = len(frame)
    left_names, right_names = frame["left"].astype(str), frame["right"].astype(str)
    codes, uniques = pd.factorize(pd.concat([left_names, right_names], ignore_index=True))
    if n and int(codes.min()) < 0:
        rows = np.flatnonzero((codes[:n] < 0) | (codes[n:] < 0))[:5].tolist()
        raise QualityInputError("left and right must name an item", {"rows": rows})
    label = frame["label"].fillna("").astype(str).str.strip()
    won_left, won_right = _same_text(label, left_names), _same_text(label, right_names)
    tie = _same_text(label, "")
    outcome = np.full(n, TIE, dtype=np.int32)
    outcome[won_left] = LEFT
    outcome[won_right] = RIGHT
    bad = ~(tie | won_left | won_right)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise QualityInputError(
            "label must be the left item, the right item or empty", {"rows": rows}
        )
    worker_codes, workers = _text_codes(frame["worker"])
    votes = check_votes(codes[:n], codes[n:], outcome, worker_codes, len(uniques), len(workers))
    return EncodedVotes(votes, np.asarray(uniques, dtype=object), workers)


def _same_text(texts: pd.Series, other: pd.Series | str) -> NDArray[np.bool_]:
    """Row-wise text equality (a missing value equals nothing)."""
    return np.asarray((texts == other).to_numpy(dtype=bool, na_value=False))


def _text_codes(ids: pd.Series) -> tuple[IntArray, NDArray[Any]]:
    """Codes of ids compared as text, in order of first appearance.

    The raw values are coded first and only the distinct ones turned into text, which
    spares a text copy of the whole column (ids are often integers). Distinct ids nearly
    always stay distinct as text, and then the raw codes are already the answer.
    """
    codes, distinct = pd.factorize(ids, use_na_sentinel=False)
    text_codes, texts = pd.factorize(pd.Index(distinct).astype(str))
    if not np.array_equal(text_codes, np.arange(len(distinct))):
        codes = text_codes[codes]
    return codes, np.asarray(texts, dtype=object)


@dataclass(frozen=True)
class PairCounts:
    """Votes folded to unordered pairs ``first < second``: the sparse win-count matrix.

    Attributes:
        first: Lower item code of each pair.
        second: Higher item code of each pair.
        counts: Shape (n_pairs, 3): wins of ``first``, wins of ``second``, ties.
        pair_of_vote: Pair index of every vote.
        outcome_of_vote: Column of ``counts`` each vote went to.
        n_items: Number of items.

    """

    first: IntArray
    second: IntArray
    counts: FloatArray
    pair_of_vote: IntArray
    outcome_of_vote: IntArray
    n_items: int

    @property
    def n_pairs(self) -> int:
        """Number of distinct pairs compared."""
        return int(self.first.shape[0])


def fold_pairs(votes: PairwiseVotes, weights: FloatArray | None = None) -> PairCounts:
    """Fold votes into per-pair counts, in O(votes) when the key space is small.

    Per-vote temporaries are built in place and dropped as soon as possible: with a
    million votes each is 8 MB, and fresh memory costs a page fault per 4 kB.
    """
    keys, pair = _pair_of_vote(votes)
    column = votes.outcome.astype(np.intp)
    flip = votes.left_idx > votes.right_idx
    flip &= column != TIE
    column[flip] = 1 - column[flip]
    flat = pair * 3
    flat += column
    counts = np.bincount(flat, weights=weights, minlength=keys.size * 3).reshape(-1, 3)
    return PairCounts(
        np.asarray(keys // votes.n_items, dtype=np.intp),
        np.asarray(keys % votes.n_items, dtype=np.intp),
        counts.astype(np.float64),
        pair,
        column,
        votes.n_items,
    )


def _pair_of_vote(votes: PairwiseVotes) -> tuple[IntArray, IntArray]:
    """Sorted keys ``low * n + high`` of the compared pairs, and each vote's pair index."""
    n = votes.n_items
    key = np.minimum(votes.left_idx, votes.right_idx).astype(np.intp, copy=False)
    key *= n
    key += np.maximum(votes.left_idx, votes.right_idx)
    if n * n <= _DENSE_KEYS:
        present = np.bincount(key, minlength=n * n) > 0
        lookup = np.cumsum(present) - 1
        return np.flatnonzero(present), np.asarray(lookup[key], dtype=np.intp)
    keys, pair = np.unique(key, return_inverse=True)
    return keys, np.asarray(pair, dtype=np.intp)
