"""How many votes hold the top of a leaderboard: the fewest dropped votes that dethrone it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from assay.quality._encoding import FloatArray, IntArray
from assay.quality.errors import QualityInputError
from assay.quality.pairwise._board_input import board_votes, check_ties
from assay.quality.pairwise._newton import Factor
from assay.quality.pairwise._rater_counts import (
    CountsFit,
    batched_newton,
    fit_counts,
    unit_gradients,
)

_TIE_TOLERANCE = 1e-6  # scores this close share first place


@dataclass(frozen=True)
class Stability:
    """How robust first place is to dropping votes.

    Attributes:
        top: Index of the first-placed item.
        runner_up: Index of the second-placed item.
        votes_to_flip: Votes whose removal lets another item rank first (reach at least the
            leader's score): an upper bound of the true minimum, see
            :func:`top_rank_stability`; ``n_votes`` when no removal found did it.
        share: ``votes_to_flip / n_votes``.
        challenger: The item that reaches first place after that removal (None if none).
        n_votes: Votes counted (zero-weight votes excluded).
        challengers_checked: Challengers searched exactly (the rest were ranked out by a
            first-order estimate).

    """

    top: int
    runner_up: int
    votes_to_flip: int
    share: float
    challenger: int | None
    n_votes: int
    challengers_checked: int


def top_rank_stability(
    left_idx: ArrayLike,
    right_idx: ArrayLike,
    outcome: ArrayLike,
    *,
    n_items: int,
    weights: ArrayLike | None = None,
    ties: str = "davidson",
    prior: float = 1.0,
    max_challengers: int = 5,
) -> Stability:
    """Find few votes whose removal would put another item first (a fragility check).

    Greedy search: for a challenger ``c``, the influence of each vote on the leader's lead
    ``theta_top - theta_c`` is its first-order effect ``a^T H^{-1} g_v`` (``a`` = +1 at the
    leader, -1 at ``c``; ``H`` minus the Hessian, ``g_v`` the vote's gradient). The votes
    most favourable to the leader against ``c`` are dropped first, and a search on their
    count (doubling away from the first-order estimate, then bisection), refitting the
    model on the remaining votes at every probe, finds the fewest that put some item at or
    above the leader. Challengers are ranked by the
    first-order estimate of that count and the ``max_challengers`` most promising are
    searched; the board's answer is the smallest count found.

    The result is an UPPER BOUND of the true minimum: the removal it reports really does
    dethrone the leader (it was refitted), but another set of votes, chosen jointly and
    not by this greedy order, may do it with fewer. The search also assumes that dropping
    more of the ordered votes never restores the leader.

    Reference: T. Broderick, R. Giordano, R. Meager, "An Automatic Finite-Sample
    Robustness Metric: When Can Dropping a Little Data Make a Big Difference?", 2020
    (first-order influence of dropped data, then a refit to confirm).

    Args:
        left_idx: Item code on the left of each vote.
        right_idx: Item code on the right.
        outcome: 0 = left won, 1 = right won, 2 = tie.
        n_items: Number of items.
        weights: Optional per-vote weights; 0 excludes a vote.
        ties: ``"davidson"`` or ``"half"`` (as in :func:`fit_board`).
        prior: Virtual games per item.
        max_challengers: Challengers searched exactly.

    Returns:
        The :class:`Stability` of first place.

    Raises:
        QualityInputError: On empty input, fewer than two items or bad codes or options.

    """
    check_ties(ties)
    if max_challengers < 1:
        raise QualityInputError("max_challengers must be at least 1")
    board = board_votes(left_idx, right_idx, outcome, None, n_items, weights)
    fit = fit_counts(board, ties, prior, with_cells=False)
    theta = fit.params[: fit.pairs.n_items, 0]
    ranked = np.argsort(-theta, kind="stable")
    top, runner_up = int(ranked[0]), int(ranked[1])
    n_votes = board.n_votes
    if theta[top] - theta[runner_up] <= _TIE_TOLERANCE:
        return Stability(top, runner_up, 0, 0.0, runner_up, n_votes, 0)
    search = _Search(fit, board.weights, top)
    estimates = {c: search.estimate(c) for c in map(int, ranked[1:])}
    chosen = sorted(estimates, key=lambda c: estimates[c])[:max_challengers]
    best, challenger = n_votes + 1, None
    for c in chosen:
        found = search.exact(c, estimates[c], best)
        if found is not None and found < best:
            best, challenger = found, c
    best = min(best, n_votes)
    return Stability(top, runner_up, best, best / n_votes, challenger, n_votes, len(chosen))


class _Search:
    """Influence of every vote on the leader's lead, and refits with votes dropped."""

    def __init__(self, fit: CountsFit, weights: FloatArray, top: int) -> None:
        self.fit, self.weights, self.top = fit, weights, top
        self.n = fit.pairs.n_items
        self.cell_of_vote = fit.pairs.pair_of_vote * 3 + fit.pairs.outcome_of_vote
        self.grad_d, self.grad_x = unit_gradients(fit, fit.params)
        self.factor = Factor(fit.curvature)
        self.theta = fit.params[: self.n, 0]

    def cell_influence(self, c: int) -> FloatArray:
        """Drop in the lead over ``c`` from removing one unit-weight vote of each cell."""
        lead = np.zeros((self.fit.params.shape[0], 1))
        lead[self.top, 0], lead[c, 0] = 1.0, -1.0
        z = self.factor.solve(lead)[:, 0]
        pairs = self.fit.pairs
        influence = self.grad_d * (z[pairs.first] - z[pairs.second])[:, None]
        if self.grad_x is not None:
            influence = influence + self.grad_x * z[self.n]
        return np.asarray(influence.ravel(), dtype=np.float64)

    def estimate(self, c: int) -> float:
        """First-order number of votes to close the lead over ``c`` (inf if never)."""
        influence = self.cell_influence(c)
        counts = np.bincount(self.cell_of_vote, minlength=influence.size)
        weighted = self.fit.pairs.counts.ravel()
        helpful = np.flatnonzero((influence > 0) & (counts > 0))
        order = helpful[np.argsort(-influence[helpful], kind="stable")]
        gained = np.cumsum(influence[order] * weighted[order])
        gap = self.theta[self.top] - self.theta[c]
        at = int(np.searchsorted(gained, gap))
        if at >= order.size:
            return float("inf")
        before = float(gained[at - 1]) if at else 0.0
        per_vote = influence[order[at]] * weighted[order[at]] / counts[order[at]]
        done = float(counts[order[:at]].sum())
        return done + float(np.ceil((gap - before) / per_vote))

    def exact(self, c: int, guess: float, limit: int) -> int | None:
        """Fewest of the ordered votes whose removal dethrones the leader (None: not < limit).

        Brackets the count by doubling away from the first-order ``guess`` (small probes
        refit quickly from the full fit), then bisects.
        """
        influence = self.cell_influence(c)[self.cell_of_vote] * self.weights
        helpful = np.flatnonzero(influence > 0)
        order = helpful[np.argsort(-influence[helpful], kind="stable")]
        ceiling = min(order.size, limit - 1)
        if ceiling == 0:
            return None
        probe = int(min(max(guess, 1.0), ceiling))
        if self._dethroned(order[:probe]):
            low, high = probe // 2, probe
            while low > 0 and self._dethroned(order[:low]):
                low, high = low // 2, low
        else:
            low, high = probe, 0
            while not high:
                candidate = min(2 * low, ceiling)
                if self._dethroned(order[:candidate]):
                    high = candidate
                elif candidate == ceiling:
                    return None
                else:
                    low = candidate
        while high - low > 1:
            middle = (low + high) // 2
            if self._dethroned(order[:middle]):
                high = middle
            else:
                low = middle
        return high

    def _dethroned(self, dropped: IntArray) -> bool:
        pairs = self.fit.pairs
        removed = np.bincount(
            self.cell_of_vote[dropped], self.weights[dropped], pairs.n_pairs * 3
        ).reshape(-1, 3)
        left = np.clip(pairs.counts - removed, 0.0, None)
        counts = self.fit.model.prepare(tuple(left[:, k : k + 1] for k in range(3)))
        params = batched_newton(self.fit, counts, tol=1e-9)
        theta = params[: self.n, 0]
        others = np.delete(theta, self.top)
        return bool(others.max() >= theta[self.top] - _TIE_TOLERANCE)
