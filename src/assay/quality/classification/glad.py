"""GLAD: worker ability and task difficulty jointly decide the chance of a right answer."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from assay.quality._encoding import FloatArray, IntArray, LabelCodes
from assay.quality._posterior import (
    chosen_posterior,
    column_sums,
    converged,
    log_sigmoid,
    majority_probas,
    posterior_from_logits,
    row_loglik_to_tasks,
    worker_agreement,
)
from assay.quality.classification._base import CategoricalAggregator
from assay.quality.classification.dawid_skene import DawidSkene
from assay.quality.errors import QualityInputError

_MAX_STEP = 0.5
_EDGE = 0.05
_STARTS = ("dawid-skene", "majority")


def _scoring_step(
    index: IntArray,
    size: int,
    residual: FloatArray,
    slope: FloatArray,
    current: FloatArray,
    prior: tuple[float, float],
    curvature: FloatArray,
) -> FloatArray:
    """One Fisher-scoring step per group, with a N(mean, sd^2) prior, clipped to +-0.5."""
    mean, precision = prior[0], 1.0 / prior[1] ** 2
    grad = np.bincount(index, weights=residual * slope, minlength=size) - precision * (
        current - mean
    )
    info = np.bincount(index, weights=curvature * slope * slope, minlength=size) + precision
    return np.asarray(current + np.clip(grad / info, -_MAX_STEP, _MAX_STEP), dtype=np.float64)


class GLAD(CategoricalAggregator):
    r"""GLAD (Generative model of Labels, Abilities, and Difficulties).

    Model: :math:`z_t \sim \mathrm{Cat}(\pi)`; worker :math:`w` with ability
    :math:`\alpha_w \in \mathbb{R}` answers task :math:`t` with inverse difficulty
    :math:`e^{\beta_t}` correctly with probability
    :math:`\sigma_r = \sigma(\alpha_w e^{\beta_t})`, else uniformly among the other
    :math:`K-1` classes. Priors :math:`\alpha_w \sim N(\mu_\alpha, 1)`,
    :math:`\beta_t \sim N(\mu_\beta, s_\beta^2)`.

    EM from a starting posterior :math:`q` (``init``): Dawid-Skene's posterior by default,
    or the majority vote's shares. Abilities start from each worker's agreement with its
    argmax, :math:`\alpha_w = \mathrm{logit}(\mathrm{agree}_w) / e^{\mu_\beta}`. The GLAD
    objective is not concave and real data can have several local optima; Dawid-Skene, a
    richer model that is cheap to fit first, reads workers' systematic confusions that raw
    vote shares miss, so EM starts nearer the truth. With :math:`q_r` the posterior that
    row :math:`r` is right:

    * M-step (generalised): ``m_step_iter`` Fisher-scoring steps (each clipped to
      :math:`\pm 0.5`) on :math:`\alpha`, then :math:`\beta`, all groups at once with
      ``np.bincount``:
      :math:`\alpha_w \mathrel{+}= \frac{\sum_r (q_r - \sigma_r) e^{\beta_t} - (\alpha_w -
      \mu_\alpha)}{\sum_r \sigma_r(1-\sigma_r) e^{2\beta_t} + 1}` and likewise for
      :math:`\beta_t` with slope :math:`\alpha_w e^{\beta_t}`; :math:`\pi` uniform, or
      :math:`\pi_k \propto \sum_t q_{tk} + a` with ``learn_priors``.
    * E-step: :math:`q_{tk} \propto \pi_k \prod_{r \in t} \sigma_r^{[y_r = k]}
      \left(\tfrac{1-\sigma_r}{K-1}\right)^{[y_r \ne k]}`.

    Fitted state: ``alphas_`` (per worker), ``betas_`` (per task), ``priors_``,
    ``probas_``, ``labels_``, ``loss_history_``, ``n_iter_``.

    Reference: J. Whitehill, P. Ruvolo, T. Wu, J. Bergsma, J. Movellan, "Whose Vote Should
    Count More: Optimal Integration of Labels from Labelers of Unknown Expertise", NIPS 2009.

    Args:
        n_iter: Maximum number of EM rounds.
        tol: Convergence tolerance on the mean log evidence per label.
        alpha_prior_mean: Prior mean of worker ability.
        beta_prior_mean: Prior mean of log inverse difficulty.
        beta_prior_sd: Prior standard deviation of log inverse difficulty.
        m_step_iter: Fisher-scoring steps per parameter block in each M-step.
        init: Starting posterior: ``"dawid-skene"`` (default) or ``"majority"``.
        learn_priors: Estimate the class prior :math:`\pi`; by default it stays uniform, as in
            the paper (a learned prior can drift when hard tasks carry little evidence).
        prior_smoothing: Pseudo-tasks per class for a learned class prior.
        seed: Seed for breaking exact ties.

    """

    alphas_: FloatArray
    betas_: FloatArray
    priors_: FloatArray

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        alpha_prior_mean: float = 1.0,
        beta_prior_mean: float = 1.0,
        beta_prior_sd: float = 1.0,
        m_step_iter: int = 1,
        init: str = "dawid-skene",
        learn_priors: bool = False,
        prior_smoothing: float = 1.0,
        seed: int | None = 0,
    ) -> None:
        if init not in _STARTS:
            raise QualityInputError("init must be 'dawid-skene' or 'majority'", {"init": init})
        self.n_iter = n_iter
        self.tol = tol
        self.alpha_prior_mean = alpha_prior_mean
        self.beta_prior_mean = beta_prior_mean
        self.beta_prior_sd = beta_prior_sd
        self.m_step_iter = m_step_iter
        self.init = init
        self.learn_priors = learn_priors
        self.prior_smoothing = prior_smoothing
        self.seed = seed

    def _m_step(self, codes: LabelCodes, right: FloatArray) -> None:
        w, t = codes.worker_idx, codes.task_idx
        for _ in range(max(self.m_step_iter, 1)):
            ease = np.exp(self.betas_)[t]
            sigma = expit(self.alphas_[w] * ease)
            self.alphas_ = _scoring_step(
                w,
                codes.n_workers,
                right - sigma,
                ease,
                self.alphas_,
                (self.alpha_prior_mean, 1.0),
                sigma * (1.0 - sigma),
            )
            slope = self.alphas_[w] * ease
            sigma = expit(slope)
            self.betas_ = _scoring_step(
                t,
                codes.n_tasks,
                right - sigma,
                slope,
                self.betas_,
                (self.beta_prior_mean, self.beta_prior_sd),
                sigma * (1.0 - sigma),
            )

    def _e_step(self, codes: LabelCodes) -> tuple[FloatArray, float]:
        k = max(codes.n_classes, 2)
        x = self.alphas_[codes.worker_idx] * np.exp(self.betas_)[codes.task_idx]
        log_right = log_sigmoid(x)
        log_wrong = log_sigmoid(-x) - np.log(k - 1)
        logits = row_loglik_to_tasks(codes, log_wrong, log_right - log_wrong, np.log(self.priors_))
        return posterior_from_logits(logits)

    def _start(self, codes: LabelCodes) -> FloatArray:
        """Return the posterior EM starts from (see ``init``)."""
        if self.init == "majority":
            return majority_probas(codes)
        start = DawidSkene(seed=self.seed).fit(
            codes.task_idx,
            codes.worker_idx,
            codes.label_idx,
            n_tasks=codes.n_tasks,
            n_workers=codes.n_workers,
            n_classes=codes.n_classes,
        )
        return start.probas_

    def _fit_codes(self, codes: LabelCodes) -> None:
        probas = self._start(codes)
        self.betas_ = np.full(codes.n_tasks, float(self.beta_prior_mean))
        agreement = worker_agreement(codes, probas.argmax(axis=1))
        ease = np.exp(float(self.beta_prior_mean))
        self.alphas_ = logit(np.clip(agreement, _EDGE, 1.0 - _EDGE)) / ease
        self.loss_history_: list[float] = []
        for _ in range(max(self.n_iter, 1)):
            prior = column_sums(probas) + self.prior_smoothing
            if not self.learn_priors:
                prior = np.ones(codes.n_classes)
            self.priors_ = prior / prior.sum()
            self._m_step(codes, chosen_posterior(codes, probas))
            probas, evidence = self._e_step(codes)
            self.loss_history_.append(evidence / codes.n_rows)
            if converged(self.loss_history_, self.tol):
                break
        self.probas_ = probas
        self.n_iter_ = len(self.loss_history_)
