"""Numeric answers with a bias and a noise level per worker (a Gaussian random-effects model)."""

from __future__ import annotations

import numpy as np

from assay.quality._encoding import FloatArray
from assay.quality.numeric._base import NumericAggregator, NumericAnswers
from assay.quality.numeric.mean_median import pooled_residual_sd


class BiasVarianceModel(NumericAggregator):
    r"""Worker bias + variance model for numeric answers.

    Model: :math:`y_r = \mu_{t_r} + b_{w_r} + \varepsilon_r`,
    :math:`\varepsilon_r \sim N(0, \sigma^2_{w_r})`, with a Gaussian prior
    :math:`b_w \sim N(0, \sigma^2_w / \lambda)` (``bias_prior_strength`` :math:`= \lambda`
    pseudo-answers of zero bias) and a scaled-inverse-:math:`\chi^2` prior on
    :math:`\sigma^2_w` worth ``variance_prior_strength`` :math:`= \nu` answers at the pooled
    variance :math:`s_0^2`.

    Block-coordinate ascent of the posterior, started from the plain mean:

    * :math:`\mu_t = \sum_{r \in t} (y_r - b_{w_r}) / \sigma^2_{w_r} \,/\, \sum_{r \in t}
      1/\sigma^2_{w_r}`;
    * :math:`b_w = \sum_{r \in w} (y_r - \mu_{t_r}) / (n_w + \lambda)`;
    * :math:`\sigma^2_w = \big(\sum_{r \in w} (y_r - \mu_{t_r} - b_w)^2 + \nu s_0^2\big) /
      (n_w + \nu)`.

    ``stderr_`` is :math:`(\sum_{r \in t} 1/\sigma^2_{w_r})^{-1/2}`. Fitted state also has
    ``biases_`` and ``variances_`` (per worker) and ``n_iter_``.

    Reference: the LFC_N / CATD family in Zheng et al., "Truth Inference in Crowdsourcing: Is
    the Problem Solved?", PVLDB 10(5), 2017; V. C. Raykar et al., "Learning From Crowds",
    JMLR 11, 2010 (regression with per-annotator precision).

    Args:
        n_iter: Maximum number of rounds.
        tol: Stop when no task estimate moves more than ``tol`` times the answers' spread.
        bias_prior_strength: Pseudo-answers of zero bias per worker.
        variance_prior_strength: Pseudo-answers at the pooled variance per worker.

    """

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-6,
        bias_prior_strength: float = 20.0,
        variance_prior_strength: float = 20.0,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.bias_prior_strength = bias_prior_strength
        self.variance_prior_strength = variance_prior_strength

    def _fit_answers(self, answers: NumericAnswers) -> None:
        w, t, y = answers.worker_idx, answers.task_idx, answers.values
        n_w = np.bincount(w, minlength=answers.n_workers).astype(np.float64)
        sums, counts = answers.per_task()
        mu = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
        base_var = max(pooled_residual_sd(answers, mu) ** 2, 1e-12)
        scale = float(np.std(y)) or 1.0
        biases = np.zeros(answers.n_workers)
        variances = np.full(answers.n_workers, base_var)
        self.n_iter_ = 0
        for _ in range(max(self.n_iter, 1)):
            residual = y - mu[t]
            biases = np.bincount(w, weights=residual, minlength=answers.n_workers) / (
                n_w + self.bias_prior_strength
            )
            squared = np.bincount(
                w, weights=(residual - biases[w]) ** 2, minlength=answers.n_workers
            )
            nu = self.variance_prior_strength
            variances = np.maximum((squared + nu * base_var) / (n_w + nu), 1e-12)
            new_mu = self._centre(answers, biases, variances, mu)
            self.n_iter_ += 1
            moved = float(np.abs(new_mu - mu).max())
            mu = new_mu
            if moved <= self.tol * scale:
                break
        precision = np.bincount(t, weights=1.0 / variances[w], minlength=answers.n_tasks)
        self.values_ = np.where(counts > 0, mu, np.nan)
        self.stderr_ = np.divide(
            1.0, np.sqrt(precision), out=np.full(precision.shape, np.inf), where=precision > 0
        )
        self.biases_, self.variances_ = biases, variances

    @staticmethod
    def _centre(
        answers: NumericAnswers, biases: FloatArray, variances: FloatArray, mu: FloatArray
    ) -> FloatArray:
        weights = 1.0 / variances[answers.worker_idx]
        shifted = answers.values - biases[answers.worker_idx]
        sums = np.bincount(answers.task_idx, weights=shifted * weights, minlength=answers.n_tasks)
        total = np.bincount(answers.task_idx, weights=weights, minlength=answers.n_tasks)
        return np.divide(sums, total, out=mu.copy(), where=total > 0)
