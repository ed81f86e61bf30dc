"""Worker skill from gold tasks: a Beta-binomial posterior per worker and skill."""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import beta as beta_distribution

from assay.quality._encoding import FloatArray, as_codes
from assay.quality.errors import QualityInputError


class GoldSkill:
    r"""Beta-binomial estimate of each worker's accuracy on gold, per skill.

    Model: worker :math:`w` answers a gold task of skill :math:`s` correctly with
    probability :math:`p_{ws} \sim \mathrm{Beta}(m\mu_s, m(1-\mu_s))`; after :math:`k` right
    out of :math:`n` the posterior is :math:`\mathrm{Beta}(m\mu_s + k, m(1-\mu_s) + n - k)`.

    The prior mean :math:`\mu_s` is the pooled accuracy of all workers on skill :math:`s`
    (or ``prior_mean`` when given) and its weight is ``prior_strength`` :math:`= m` gold
    answers. With the default :math:`m = 10`, a new worker who gets 3 of 3 right on a skill
    where the crowd is at 70% moves to 77%, and one who gets 0 of 3 to 54%: neither trusted
    nor condemned after three tasks.

    Correctness may be fractional (partial credit in [0, 1]).

    Fitted state, each (n_workers, n_skills): ``means_``, ``lower_``, ``upper_`` (equal-tailed
    credible interval at ``level``), ``alpha_`` / ``beta_`` (posterior parameters),
    ``counts_`` (gold answers seen); and ``prior_means_`` per skill.

    Args:
        prior_strength: Weight of the prior, in gold answers.
        prior_mean: Fixed prior mean for every skill; default the pooled accuracy.
        level: Probability inside the credible interval.

    """

    def __init__(
        self, prior_strength: float = 10.0, prior_mean: float | None = None, level: float = 0.9
    ) -> None:
        if prior_strength <= 0:
            raise QualityInputError("prior_strength must be positive")
        if prior_mean is not None and not 0.0 < prior_mean < 1.0:
            raise QualityInputError("prior_mean must be strictly between 0 and 1")
        self.prior_strength = prior_strength
        self.prior_mean = prior_mean
        self.level = level

    def fit(
        self,
        worker_idx: ArrayLike,
        correct: ArrayLike,
        skill_idx: ArrayLike | None = None,
        *,
        n_workers: int | None = None,
        n_skills: int | None = None,
    ) -> Self:
        """Fit from one row per gold answer: worker, correctness in [0, 1], skill.

        Raises:
            QualityInputError: On empty input, unequal lengths or correctness outside [0, 1].

        """
        workers, n_w = as_codes(worker_idx, "worker_idx", n_workers)
        score = np.asarray(correct, dtype=np.float64)
        skills, n_s = (
            as_codes(skill_idx, "skill_idx", n_skills)
            if skill_idx is not None
            else (np.zeros(workers.size, dtype=np.intp), 1)
        )
        if not (workers.shape == score.shape == skills.shape):
            raise QualityInputError("worker_idx, correct and skill_idx must have the same length")
        if workers.size == 0:
            raise QualityInputError("no gold answers: the input is empty")
        if ((score < 0) | (score > 1)).any() or not np.isfinite(score).all():
            raise QualityInputError("correct must be in [0, 1]")
        cell = workers * n_s + skills
        right = np.asarray(
            np.bincount(cell, weights=score, minlength=n_w * n_s), dtype=np.float64
        ).reshape(n_w, n_s)
        seen = np.bincount(cell, minlength=n_w * n_s).reshape(n_w, n_s).astype(np.float64)
        self._set_posterior(right, seen)
        return self

    def _set_posterior(self, right: FloatArray, seen: FloatArray) -> None:
        if self.prior_mean is not None:
            mean = np.full(right.shape[1], self.prior_mean)
        else:
            pooled = (right.sum(axis=0) + 1.0) / (seen.sum(axis=0) + 2.0)
            mean = np.clip(pooled, 0.01, 0.99)
        m = self.prior_strength
        self.prior_means_ = mean
        self.alpha_ = m * mean[None, :] + right
        self.beta_ = m * (1.0 - mean[None, :]) + seen - right
        self.counts_ = seen
        self.means_ = self.alpha_ / (self.alpha_ + self.beta_)
        tail = (1.0 - self.level) / 2.0
        self.lower_ = np.asarray(beta_distribution.ppf(tail, self.alpha_, self.beta_))
        self.upper_ = np.asarray(beta_distribution.ppf(1.0 - tail, self.alpha_, self.beta_))

    def probability_above(self, threshold: float) -> FloatArray:
        """Posterior probability that each worker's accuracy exceeds ``threshold``."""
        return np.asarray(beta_distribution.sf(threshold, self.alpha_, self.beta_))
