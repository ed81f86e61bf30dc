"""The head-to-head win matrix of a leaderboard: share of wins and games per item pair."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from assay.quality._encoding import FloatArray
from assay.quality.pairwise._board_input import board_votes
from assay.quality.pairwise._votes import LEFT, TIE


@dataclass(frozen=True, eq=False)
class WinMatrix:
    """Head-to-head results, row item against column item.

    Attributes:
        wins: (n, n) share of the row item's wins over the column item, a tie counting half
            a win: ``(wins + ties / 2) / games``; NaN where the pair never met (and on the
            diagonal). ``wins + wins.T == 1`` wherever defined.
        games: (n, n) number of votes between the two items, symmetric (sum of weights when
            weighted).

    """

    wins: FloatArray
    games: FloatArray


def win_matrix(
    left_idx: ArrayLike,
    right_idx: ArrayLike,
    outcome: ArrayLike,
    *,
    n_items: int,
    weights: ArrayLike | None = None,
) -> WinMatrix:
    """Count head-to-head results (outcome 0 = left won, 1 = right won, 2 = tie).

    Args:
        left_idx: Item code on the left of each vote.
        right_idx: Item code on the right.
        outcome: 0, 1 or 2 per vote.
        n_items: Number of items (the matrices are ``n_items`` square).
        weights: Optional per-vote weights; 0 excludes a vote.

    Returns:
        The :class:`WinMatrix`.

    Raises:
        QualityInputError: On empty input, fewer than two items or bad codes or weights.

    """
    board = board_votes(left_idx, right_idx, outcome, None, n_items, weights)
    votes, w = board.votes, board.weights
    n = votes.n_items
    left, right = votes.left_idx, votes.right_idx
    score = np.select([votes.outcome == LEFT, votes.outcome == TIE], [1.0, 0.5], 0.0)
    won = np.bincount(left * n + right, w * score, n * n).reshape(n, n)
    won += np.bincount(right * n + left, w * (1.0 - score), n * n).reshape(n, n)
    games = np.bincount(left * n + right, w, n * n).reshape(n, n)
    games += games.T
    share = np.divide(won, games, out=np.full((n, n), np.nan), where=games > 0)
    return WinMatrix(share, np.asarray(games, dtype=np.float64))
