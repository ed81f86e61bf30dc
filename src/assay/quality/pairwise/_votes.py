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

    Items, left, right and winner, are coded in one pass over the three columns (as text, so
    ``1`` and ``"1"`` name the same item). Every row counts (a worker may compare the same
    pair more than once).

    Raises:
        QualityInputError: On missing columns, empty input or a label naming neither item.

    """
    require_columns(frame, ["worker", "left", "right", "label"])
    n = len(frame)
    label = frame["label"].fillna("").astype(str).str.strip()
    names = pd.concat(
        [frame["left"].astype(str), frame["right"].astype(str), label], ignore_index=True
    )
    codes, uniques = pd.factorize(names, sort=False)
    left, right, winner = codes[:n], codes[n : 2 * n], codes[2 * n :]
    empty = np.flatnonzero(np.asarray(uniques, dtype=object) == "")
    tie = winner == empty[0] if empty.size else np.zeros(n, dtype=bool)
    outcome = np.full(n, TIE, dtype=np.int32)
    outcome[winner == left] = LEFT
    outcome[winner == right] = RIGHT
    bad = ~tie & (winner != left) & (winner != right)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise QualityInputError(
            "label must be the left item, the right item or empty", {"rows": rows}
        )
    used = np.zeros(len(uniques), dtype=bool)
    used[left] = used[right] = True
    lookup = np.cumsum(used, dtype=np.int32) - 1  # drop names seen only as labels ("")
    worker_codes, workers = pd.factorize(frame["worker"].astype(str), sort=False)
    votes = check_votes(
        lookup[left], lookup[right], outcome, worker_codes, int(used.sum()), len(workers)
    )
    items = np.asarray(uniques, dtype=object)[used]
    return EncodedVotes(votes, items, np.asarray(workers, dtype=object))


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
    """Fold votes into per-pair counts, in O(votes) when the key space is small."""
    low = np.minimum(votes.left_idx, votes.right_idx)
    high = np.maximum(votes.left_idx, votes.right_idx)
    key = low * votes.n_items + high
    if votes.n_items * votes.n_items <= _DENSE_KEYS:
        present = np.bincount(key, minlength=votes.n_items * votes.n_items) > 0
        keys = np.flatnonzero(present)
        lookup = np.cumsum(present) - 1
        pair = lookup[key]
    else:
        keys, pair = np.unique(key, return_inverse=True)
    swapped = votes.left_idx > votes.right_idx
    column = votes.outcome.astype(np.intp)
    flip = swapped & (column != TIE)
    column[flip] = 1 - column[flip]
    flat = pair * 3 + column
    counts = np.bincount(flat, weights=weights, minlength=keys.size * 3).reshape(-1, 3)
    return PairCounts(
        np.asarray(keys // votes.n_items, dtype=np.intp),
        np.asarray(keys % votes.n_items, dtype=np.intp),
        counts.astype(np.float64),
        np.asarray(pair, dtype=np.intp),
        column,
        votes.n_items,
    )
