"""One-coin Dawid-Skene: one accuracy per worker, errors spread evenly over the other classes."""

from __future__ import annotations

import numpy as np

from assay.quality._encoding import FloatArray, LabelCodes
from assay.quality._posterior import (
    chosen_posterior,
    column_sums,
    converged,
    majority_probas,
    posterior_from_logits,
    row_loglik_to_tasks,
)
from assay.quality.classification._base import CategoricalAggregator

_EDGE = 1e-6


class OneCoinDawidSkene(CategoricalAggregator):
    r"""One-coin Dawid-Skene: worker :math:`w` is right with probability :math:`s_w`.

    Model: :math:`z_t \sim \mathrm{Cat}(\pi)`; :math:`P(y = z_t) = s_w` and each wrong class
    has probability :math:`(1 - s_w)/(K - 1)`.

    EM from the majority vote. With :math:`q_r = P(z_{t_r} = y_r)` the posterior that row
    :math:`r` is right:

    * M-step: :math:`s_w = \frac{\sum_{r \in w} q_r + m\,\bar s}{n_w + m}` (a Beta prior worth
      ``smoothing`` :math:`= m` answers at the crowd's mean accuracy :math:`\bar s`);
      :math:`\pi_k \propto \sum_t q_{tk} + a`.
    * E-step: :math:`q_{tk} \propto \pi_k \prod_{r \in t} s_{w_r}^{[y_r = k]}
      \left(\tfrac{1 - s_{w_r}}{K - 1}\right)^{[y_r \ne k]}`.

    Fitted state: ``skills_``, ``priors_``, ``probas_``, ``labels_``, ``loss_history_``,
    ``n_iter_``.

    Reference: Y. Zhang, X. Chen, D. Zhou, M. I. Jordan, "Spectral Methods Meet EM: A Provably
    Optimal Algorithm for Crowdsourcing", JMLR 17(102), 2016.

    Args:
        n_iter: Maximum number of EM rounds.
        tol: Convergence tolerance on the mean log evidence per label.
        smoothing: Pseudo-answers at the crowd's mean accuracy added to every worker.
        prior_smoothing: Pseudo-tasks per class for the class prior.
        seed: Seed for breaking exact ties.

    """

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        smoothing: float = 2.0,
        prior_smoothing: float = 1.0,
        seed: int | None = 0,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.smoothing = smoothing
        self.prior_smoothing = prior_smoothing
        self.seed = seed

    def _m_step(self, codes: LabelCodes, probas: FloatArray) -> tuple[FloatArray, FloatArray]:
        right = chosen_posterior(codes, probas)
        hits = np.bincount(codes.worker_idx, weights=right, minlength=codes.n_workers)
        seen = np.bincount(codes.worker_idx, minlength=codes.n_workers)
        mean = float(right.mean())
        skills = (hits + self.smoothing * mean) / (seen + self.smoothing)
        prior = column_sums(probas) + self.prior_smoothing
        return np.clip(skills, _EDGE, 1.0 - _EDGE), prior / prior.sum()

    def _fit_codes(self, codes: LabelCodes) -> None:
        k = max(codes.n_classes, 2)
        probas = majority_probas(codes)
        self.loss_history_: list[float] = []
        for _ in range(max(self.n_iter, 1)):
            skills, prior = self._m_step(codes, probas)
            wrong = np.log((1.0 - skills) / (k - 1))
            base = wrong[codes.worker_idx]
            bonus = (np.log(skills) - wrong)[codes.worker_idx]
            logits = row_loglik_to_tasks(codes, base, bonus, np.log(prior))
            probas, evidence = posterior_from_logits(logits)
            self.loss_history_.append(evidence / codes.n_rows)
            if converged(self.loss_history_, self.tol):
                break
        self.skills_, self.priors_ = skills, prior
        self.probas_ = probas
        self.n_iter_ = len(self.loss_history_)
