"""The shared front of the pairwise rankers: votes in, scores with confidence intervals out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from assay.quality._encoding import FloatArray
from assay.quality.errors import QualityInputError
from assay.quality.pairwise._newton import (
    Factor,
    Objective,
    PairDesign,
    PairModel,
    chord_fit,
    newton_fit,
)
from assay.quality.pairwise._votes import (
    PairCounts,
    PairwiseVotes,
    check_votes,
    encode_votes,
    fold_pairs,
)
from assay.quality.pairwise.bootstrap import CountResampler, percentile_interval

_Z95 = 1.959963984540054
# cells (pairs x rounds) refitted together: 2 MB per float64 array keeps every temporary in
# cache and in memory the process already holds (fresh pages cost a fault each)
_CHUNK_CELLS = 250_000
# chord steps stop below this: the error left is the rate (about 0.05) times it, far below
# the Monte Carlo error of a percentile (>= 1e-3 even with a million votes)
_ROUND_TOL = 1e-4


class PairwiseRanker(ABC):
    """Base of the pairwise rankers (Bradley-Terry family).

    Two ways in: ``fit(left_idx, right_idx, outcome, worker_idx)`` on integer codes
    (outcome 0 = left won, 1 = right won, 2 = tie), or ``fit_frame(df)`` on a frame with
    columns ``worker, left, right, label`` (label = the winner, empty for a tie).

    Fitted state: ``scores_`` (log-strengths, centred to mean 0), ``ci_low_`` /
    ``ci_high_`` (normal intervals from the observed information, replaced by percentile
    intervals after :meth:`bootstrap`), ``n_iter_``; after ``fit_frame`` also ``item_ids_``
    and ``worker_ids_``.

    Args:
        prior: Virtual games per item, half won, against a reference score of 0; keeps
            unbeaten or isolated items finite (negligible with many real votes).
        level: Coverage of the confidence intervals.
        seed: Seed of the bootstrap.

    """

    scores_: FloatArray
    ci_low_: FloatArray
    ci_high_: FloatArray
    item_ids_: NDArray[Any] | None = None
    worker_ids_: NDArray[Any] | None = None

    def __init__(self, prior: float = 1.0, level: float = 0.95, seed: int | None = 0) -> None:
        if prior <= 0:
            raise QualityInputError("prior must be positive (virtual games per item)")
        self.prior = prior
        self.level = level
        self.seed = seed

    def fit(
        self,
        left_idx: ArrayLike,
        right_idx: ArrayLike,
        outcome: ArrayLike,
        worker_idx: ArrayLike | None = None,
        *,
        n_items: int | None = None,
        n_workers: int | None = None,
    ) -> Self:
        """Fit on integer-coded votes.

        Raises:
            QualityInputError: On empty or inconsistent votes.

        """
        votes = check_votes(left_idx, right_idx, outcome, worker_idx, n_items, n_workers)
        self.item_ids_ = self.worker_ids_ = None
        return self._fit_votes(votes)

    def fit_frame(self, frame: pd.DataFrame) -> Self:
        """Fit on a ``worker, left, right, label`` frame; every row counts.

        Raises:
            QualityInputError: On missing columns, empty input or a label naming neither item.

        """
        encoded = encode_votes(frame)
        self.item_ids_, self.worker_ids_ = encoded.items, encoded.workers
        return self._fit_votes(encoded.votes)

    def fit_predict(self, frame: pd.DataFrame) -> pd.Series:
        """Fit on a frame and return the score per item (Crowd-Kit's shape)."""
        self.fit_frame(frame)
        assert self.item_ids_ is not None
        return pd.Series(self.scores_, index=pd.Index(self.item_ids_, name="label"), name="score")

    def result_frame(self) -> pd.DataFrame:
        """Columns ``item, score, ci_low, ci_high``, best item first."""
        if self.item_ids_ is None:
            raise QualityInputError("fit_frame first: the model was fitted on codes")
        frame = pd.DataFrame(
            {
                "item": self.item_ids_,
                "score": self.scores_,
                "ci_low": self.ci_low_,
                "ci_high": self.ci_high_,
            }
        )
        return frame.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)

    def bootstrap(self, rounds: int, *, level: float | None = None) -> Self:
        """Replace the intervals by bootstrap percentile intervals over ``rounds`` resamples.

        The (pair, outcome) counts are resampled (see :func:`resample_counts`), so the cost
        does not grow with the number of votes; all rounds in a chunk are refitted together
        by chord Newton from the full-data fit.

        Raises:
            QualityInputError: If called before fitting or with fewer than 2 rounds.

        """
        if rounds < 2:
            raise QualityInputError("the bootstrap needs at least 2 rounds")
        if not hasattr(self, "_objective"):
            raise QualityInputError("fit the model before bootstrapping")
        rng = np.random.default_rng(self.seed)
        resampler = CountResampler(self._pairs.counts)
        n = self._pairs.n_items
        samples = np.empty((n, rounds), dtype=np.float32)
        chunk = max(1, _CHUNK_CELLS // self._pairs.n_pairs)
        for begin in range(0, rounds, chunk):
            size = min(chunk, rounds - begin)
            counts = self._model.prepare(resampler.draw(size, rng))
            params = chord_fit(self._objective, counts, self._params, self._factor, tol=_ROUND_TOL)
            theta = params[:n]
            samples[:, begin : begin + size] = theta - theta.mean(axis=0, keepdims=True)
        self.ci_low_, self.ci_high_ = percentile_interval(samples, level or self.level)
        self.bootstrap_rounds_ = rounds
        return self

    @abstractmethod
    def _likelihood(self) -> PairModel:
        """Return the pair likelihood of this model."""

    def _start(self, n_items: int) -> FloatArray:
        return np.zeros((n_items + self._likelihood().n_extra, 1))

    def _fit_votes(self, votes: PairwiseVotes) -> Self:
        self._fit_counts(fold_pairs(votes))
        return self

    def _fit_counts(
        self, pairs: PairCounts, start: FloatArray | None = None, intervals: bool = True
    ) -> None:
        """Fit the model to folded counts and set scores (and normal intervals)."""
        model = self._likelihood()
        objective = Objective(PairDesign(pairs), model, self.prior)
        counts = model.prepare(tuple(pairs.counts[:, k : k + 1] for k in range(3)))
        begin = self._start(pairs.n_items) if start is None else start
        params, curvature, steps = newton_fit(objective, counts, begin)
        self._pairs, self._objective, self._model = pairs, objective, model
        self._params, self._factor = params, Factor(curvature)
        theta = params[: pairs.n_items, 0]
        self.scores_ = theta - theta.mean()
        self.extra_ = params[pairs.n_items :, 0]
        self.n_iter_ = steps
        if not intervals:
            return
        se = self._standard_errors(self._factor, pairs.n_items)
        z = _Z95 if self.level == 0.95 else _normal_quantile(self.level)
        self.ci_low_, self.ci_high_ = self.scores_ - z * se, self.scores_ + z * se

    @staticmethod
    def _standard_errors(factor: Factor, n: int) -> FloatArray:
        """Return standard errors of the centred scores (inverse observed information).

        The inverse is the one the bootstrap's chord steps reuse, formed once per fit.
        """
        inverse = factor.inverse()
        if inverse is None:
            return np.full(n, np.nan)
        cov = inverse[:n, :n]
        centred = cov - cov.mean(axis=0, keepdims=True)
        centred = centred - centred.mean(axis=1, keepdims=True)
        return np.asarray(np.sqrt(np.clip(np.diag(centred), 0.0, None)), dtype=np.float64)


def _normal_quantile(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2.0))
