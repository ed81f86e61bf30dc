"""Many-facet model of graded work: writer skill, task difficulty and reviewer severity."""

from __future__ import annotations

from typing import Self

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import ArrayLike

from assay.quality._encoding import as_codes
from assay.quality.errors import QualityInputError


class ManyFacetModel:
    r"""Additive many-facet model of rubric scores.

    Model: the score reviewer :math:`v` gives to worker :math:`w`'s work on task :math:`t` is
    :math:`y = \mu + a_w - d_t - s_v + \varepsilon`, :math:`\varepsilon \sim N(0, \sigma^2)`,
    with worker skill :math:`a_w`, task difficulty :math:`d_t` and reviewer severity
    :math:`s_v` (a harsh reviewer has :math:`s_v > 0`). Each facet has a Gaussian prior
    :math:`N(0, \sigma^2/\lambda)` (``shrinkage`` :math:`= \lambda` pseudo-scores at zero), so
    a worker with one review is pulled toward the average and one harsh reviewer cannot sink
    a good writer: their scores are read relative to that reviewer's severity.

    Fit: the ridge least-squares problem :math:`\min \|y - \mu - D\beta\|^2 +
    \lambda\|\beta\|^2` over the sparse one-hot design :math:`D = [W \mid -T \mid -V]`, solved
    by LSQR (``scipy.sparse.linalg.lsqr`` with damping :math:`\sqrt\lambda`) on centred
    scores; each facet is then centred to mean 0 and the shifts folded into :math:`\mu`
    (predictions are unchanged).

    Fitted state: ``skills_`` (per worker), ``difficulties_`` (per task), ``severities_``
    (per reviewer), ``mean_``, ``noise_sd_``, ``skill_se_`` (approximate standard error of
    each skill), ``fair_scores_`` (each worker's expected score from an average reviewer on
    an average task, :math:`\mu + a_w`), ``n_iter_``.

    Reference: J. M. Linacre, "Many-Facet Rasch Measurement", MESA Press, 1989 (the facets
    idea, here with a linear Gaussian link); T. Eckes, "Introduction to Many-Facet Rasch
    Measurement", 2011.

    Args:
        shrinkage: Prior weight of each effect, in scores at zero.
        n_iter: Maximum number of LSQR iterations.
        tol: LSQR's stopping tolerances (atol and btol).

    """

    def __init__(self, shrinkage: float = 1.0, n_iter: int = 10_000, tol: float = 1e-10) -> None:
        if shrinkage < 0:
            raise QualityInputError("shrinkage must be non-negative")
        self.shrinkage = shrinkage
        self.n_iter = n_iter
        self.tol = tol

    def fit(
        self,
        worker_idx: ArrayLike,
        task_idx: ArrayLike,
        reviewer_idx: ArrayLike,
        scores: ArrayLike,
        *,
        n_workers: int | None = None,
        n_tasks: int | None = None,
        n_reviewers: int | None = None,
    ) -> Self:
        """Fit from one row per review: worker, task, reviewer, score.

        Raises:
            QualityInputError: On empty input, unequal lengths or non-finite scores.

        """
        workers, n_w = as_codes(worker_idx, "worker_idx", n_workers)
        tasks, n_t = as_codes(task_idx, "task_idx", n_tasks)
        reviewers, n_v = as_codes(reviewer_idx, "reviewer_idx", n_reviewers)
        y = np.asarray(scores, dtype=np.float64)
        if not (workers.shape == tasks.shape == reviewers.shape == y.shape):
            raise QualityInputError(
                "worker_idx, task_idx, reviewer_idx and scores differ in length"
            )
        if y.size == 0:
            raise QualityInputError("no scores to model: the input is empty")
        if not np.isfinite(y).all():
            raise QualityInputError("scores must be finite numbers")
        design = sp.hstack(
            [
                _one_hot(workers, n_w, 1.0),
                _one_hot(tasks, n_t, -1.0),
                _one_hot(reviewers, n_v, -1.0),
            ]
        ).tocsr()
        centre = float(y.mean())
        damp = float(np.sqrt(self.shrinkage))
        result = spla.lsqr(
            design, y - centre, damp=damp, atol=self.tol, btol=self.tol, iter_lim=self.n_iter
        )
        solution, self.n_iter_ = np.asarray(result[0]), int(result[2])
        skills, difficulties, severities = np.split(solution, [n_w, n_w + n_t])
        shift = skills.mean() - difficulties.mean() - severities.mean()
        self.skills_ = skills - skills.mean()
        self.difficulties_ = difficulties - difficulties.mean()
        self.severities_ = severities - severities.mean()
        self.mean_ = centre + float(shift)
        fitted = self.mean_ + np.asarray(
            design @ np.concatenate([self.skills_, self.difficulties_, self.severities_])
        )
        dof = max(y.size - (n_w + n_t + n_v - 2), 1)
        self.noise_sd_ = float(np.sqrt(((y - fitted) ** 2).sum() / dof))
        n_rows = np.bincount(workers, minlength=n_w).astype(np.float64)
        self.skill_se_ = self.noise_sd_ / np.sqrt(n_rows + self.shrinkage)
        self.fair_scores_ = self.mean_ + self.skills_
        return self


def _one_hot(index: np.ndarray, size: int, sign: float) -> sp.csr_array:
    rows = np.arange(index.size)
    return sp.csr_array((np.full(index.size, sign), (rows, index)), shape=(index.size, size))
