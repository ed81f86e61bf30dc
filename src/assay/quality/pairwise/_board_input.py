"""Check leaderboard votes once: codes, per-vote weights, covariates; drop zero-weight votes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from assay.quality._encoding import FloatArray
from assay.quality.errors import QualityInputError
from assay.quality.pairwise._votes import PairwiseVotes, check_votes

TIE_MODELS = ("davidson", "half")


@dataclass(frozen=True)
class BoardVotes:
    """The votes a leaderboard is fitted on (zero-weight votes already dropped).

    Attributes:
        votes: Integer-coded votes; ``worker_idx`` holds compact rater codes
            ``0 .. n_raters - 1`` (raters who kept at least one vote).
        weights: Positive weight of each kept vote.
        covariates: (n_votes, n_features) covariates of the kept votes, or None.

    """

    votes: PairwiseVotes
    weights: FloatArray
    covariates: FloatArray | None

    @property
    def n_votes(self) -> int:
        """Number of kept votes."""
        return self.votes.n_votes

    @property
    def n_raters(self) -> int:
        """Number of raters with at least one kept vote."""
        return self.votes.n_workers


def check_ties(ties: str) -> None:
    """Raise unless ``ties`` names a tie model (``"davidson"`` or ``"half"``)."""
    if ties not in TIE_MODELS:
        raise QualityInputError("ties must be 'davidson' or 'half'", {"ties": ties})


def board_votes(
    left_idx: ArrayLike,
    right_idx: ArrayLike,
    outcome: ArrayLike,
    rater_idx: ArrayLike | None,
    n_items: int,
    weights: ArrayLike | None = None,
    covariates: ArrayLike | None = None,
) -> BoardVotes:
    """Validate votes for a leaderboard; ``rater_idx=None`` makes every vote its own rater.

    Raises:
        QualityInputError: On fewer than two items, empty input, bad codes, weights that are
            negative, not finite or all zero, or covariates of the wrong shape.

    """
    if int(n_items) < 2:
        raise QualityInputError("a leaderboard needs at least two items", {"n_items": n_items})
    size = np.asarray(outcome).shape[0] if np.asarray(outcome).ndim == 1 else None
    raters = np.arange(size or 0) if rater_idx is None else rater_idx
    votes = check_votes(left_idx, right_idx, outcome, raters, int(n_items))
    kept_weights = _weights(weights, votes.n_votes)
    features = _covariates(covariates, votes.n_votes)
    keep = kept_weights > 0
    if not keep.any():
        raise QualityInputError("every vote has zero weight: nothing to rank")
    if not keep.all():
        votes = PairwiseVotes(
            votes.left_idx[keep],
            votes.right_idx[keep],
            votes.outcome[keep],
            votes.worker_idx[keep],
            votes.n_items,
            votes.n_workers,
        )
        kept_weights = kept_weights[keep]
        features = None if features is None else features[keep]
    return BoardVotes(_compact_raters(votes), kept_weights, features)


def _weights(weights: ArrayLike | None, n_votes: int) -> FloatArray:
    if weights is None:
        return np.ones(n_votes)
    values = np.asarray(weights, dtype=np.float64)
    if values.shape != (n_votes,):
        raise QualityInputError("weights must hold one number per vote", {"shape": values.shape})
    if not np.isfinite(values).all() or (values < 0).any():
        raise QualityInputError("weights must be finite and non-negative")
    return values


def _covariates(covariates: ArrayLike | None, n_votes: int) -> FloatArray | None:
    if covariates is None:
        return None
    values = np.asarray(covariates, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] != n_votes or values.shape[1] == 0:
        raise QualityInputError(
            "covariates must be shaped (n_votes, n_features)", {"shape": values.shape}
        )
    if not np.isfinite(values).all():
        raise QualityInputError("covariates must be finite")
    return values


def _compact_raters(votes: PairwiseVotes) -> PairwiseVotes:
    """Recode raters to ``0 .. R - 1`` over the raters present (in code order)."""
    present = np.bincount(votes.worker_idx, minlength=votes.n_workers) > 0
    lookup = np.cumsum(present) - 1
    return PairwiseVotes(
        votes.left_idx,
        votes.right_idx,
        votes.outcome,
        lookup[votes.worker_idx].astype(np.intp),
        votes.n_items,
        int(present.sum()),
    )
