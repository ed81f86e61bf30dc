"""GLAD: worker ability and task difficulty jointly decide the chance of a right answer."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import expit, logit

from assay.quality._encoding import FloatArray, IntArray, LabelCodes
from assay.quality._posterior import (
    chosen_posterior,
    converged,
    majority_probas,
    posterior_from_logits,
    row_loglik_to_tasks,
    worker_agreement,
)
from assay.quality.classification._base import CategoricalAggregator

_MAX_STEP = 1.0
_HALVINGS = 5
_EDGE = 0.05

XFunction = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


def _group_objective(
    index: IntArray, size: int, right: FloatArray, x: FloatArray, param: FloatArray, mean: float
) -> FloatArray:
    """Expected log-likelihood of each group's rows plus its Gaussian log prior."""
    rows = -(right * np.logaddexp(0.0, -x) + (1.0 - right) * np.logaddexp(0.0, x))
    return np.bincount(index, weights=rows, minlength=size) - 0.5 * (param - mean) ** 2


def _ascend(
    index: IntArray,
    size: int,
    right: FloatArray,
    x_of: XFunction,
    param: FloatArray,
    mean: float,
    n_steps: int,
) -> FloatArray:
    """Safeguarded Fisher scoring on independent 1-D concave-ish problems, one per group.

    ``x_of(param)`` returns each row's logit :math:`x_r` and its slope
    :math:`\partial x_r / \partial p_{g(r)}`. A step that lowers a group's objective is halved
    (up to five times) and dropped if it still does, so every block update is monotone.
    """
    for _ in range(max(n_steps, 1)):
        x, slope = x_of(param)
        sigma = expit(x)
        grad = np.bincount(index, weights=(right - sigma) * slope, minlength=size)
        info = np.bincount(index, weights=sigma * (1 - sigma) * slope * slope, minlength=size)
        step = np.clip((grad - (param - mean)) / (info + 1.0), -_MAX_STEP, _MAX_STEP)
        before = _group_objective(index, size, right, x, param, mean)
        for _ in range(_HALVINGS):
            candidate = param + step
            after = _group_objective(index, size, right, x_of(candidate)[0], candidate, mean)
            worse = after < before
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
        param = np.where(after >= before, candidate, param)
    return param


class GLAD(CategoricalAggregator):
    r"""GLAD (Generative model of Labels, Abilities, and Difficulties).

    Model: :math:`z_t \sim \mathrm{Cat}(\pi)`; worker :math:`w` with ability
    :math:`\alpha_w \in \mathbb{R}` answers task :math:`t` with inverse difficulty
    :math:`e^{\beta_t}` correctly with probability
    :math:`\sigma_r = \sigma(\alpha_w e^{\beta_t})`, else uniformly among the other
    :math:`K-1` classes. Priors :math:`\alpha_w \sim N(\mu_\alpha, 1)`,
    :math:`\beta_t \sim N(\mu_\beta, 1)`.

    EM from the majority vote, with :math:`q_r` the posterior that row :math:`r` is right:

    Abilities start from each worker's agreement with the majority vote,
    :math:`\alpha_w = \mathrm{logit}(\mathrm{agree}_w) / e^{\mu_\beta}`.

    * M-step (generalised): ``m_step_iter`` safeguarded Fisher-scoring steps on each of
      :math:`\alpha` and :math:`\beta`, all groups at once with ``np.bincount``:
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
        m_step_iter: Fisher-scoring steps per parameter block in each M-step.
        learn_priors: Estimate the class prior :math:`\pi`; by default it stays uniform, as in
            the paper (a learned prior can drift when hard tasks carry little evidence).
        prior_smoothing: Pseudo-tasks per class for a learned class prior.
        seed: Seed for breaking exact ties.
    """

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        alpha_prior_mean: float = 1.0,
        beta_prior_mean: float = 1.0,
        m_step_iter: int = 2,
        learn_priors: bool = False,
        prior_smoothing: float = 1.0,
        seed: int | None = 0,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.alpha_prior_mean = alpha_prior_mean
        self.beta_prior_mean = beta_prior_mean
        self.m_step_iter = m_step_iter
        self.learn_priors = learn_priors
        self.prior_smoothing = prior_smoothing
        self.seed = seed

    def _m_step(self, codes: LabelCodes, right: FloatArray) -> None:
        w, t = codes.worker_idx, codes.task_idx
        ease = np.exp(self.betas_)[t]

        def by_alpha(alphas: FloatArray) -> tuple[FloatArray, FloatArray]:
            return alphas[w] * ease, ease

        self.alphas_ = _ascend(
            w, codes.n_workers, right, by_alpha, self.alphas_, self.alpha_prior_mean,
            self.m_step_iter,
        )
        ability = self.alphas_[w]

        def by_beta(betas: FloatArray) -> tuple[FloatArray, FloatArray]:
            x = ability * np.exp(betas)[t]
            return x, x

        self.betas_ = _ascend(
            t, codes.n_tasks, right, by_beta, self.betas_, self.beta_prior_mean,
            self.m_step_iter,
        )

    def _e_step(self, codes: LabelCodes) -> tuple[FloatArray, float]:
        k = max(codes.n_classes, 2)
        x = self.alphas_[codes.worker_idx] * np.exp(self.betas_)[codes.task_idx]
        log_right = -np.logaddexp(0.0, -x)
        log_wrong = -np.logaddexp(0.0, x) - np.log(k - 1)
        logits = row_loglik_to_tasks(codes, log_wrong, log_right - log_wrong, np.log(self.priors_))
        return posterior_from_logits(logits)

    def _fit_codes(self, codes: LabelCodes) -> None:
        probas = majority_probas(codes)
        self.betas_ = np.full(codes.n_tasks, float(self.beta_prior_mean))
        agreement = worker_agreement(codes, probas.argmax(axis=1))
        ease = np.exp(float(self.beta_prior_mean))
        self.alphas_ = logit(np.clip(agreement, _EDGE, 1.0 - _EDGE)) / ease
        self.loss_history_: list[float] = []
        for _ in range(max(self.n_iter, 1)):
            prior = probas.sum(axis=0) + self.prior_smoothing
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
