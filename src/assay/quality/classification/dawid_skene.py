"""Dawid-Skene: one full confusion matrix per worker, fitted by EM with Dirichlet smoothing."""

from __future__ import annotations

import numpy as np

from assay.quality._encoding import FloatArray, LabelCodes
from assay.quality.classification._base import CategoricalAggregator
from assay.quality.classification._confusion import ConfusionDesign, pooled_confusion, run_em

_FLOOR = 1e-3  # share of uniform mixed into the crowd's matrix, so no answer has zero prior mass


class DawidSkene(CategoricalAggregator):
    r"""Dawid-Skene truth inference with per-worker confusion matrices (MAP-EM).

    Model: task :math:`t` has a hidden class :math:`z_t \sim \mathrm{Cat}(\pi)`; worker
    :math:`w` answers :math:`y` with probability :math:`\theta_w[z_t, y]`.

    Priors, so a worker with three labels does not get a degenerate matrix: each row
    :math:`\theta_w[k, \cdot] \sim \mathrm{Dir}(1 + s\,\bar\theta[k, \cdot])`, centred on the
    crowd's pooled confusion matrix :math:`\bar\theta` (empirical Bayes, re-estimated each
    round) with strength ``smoothing`` :math:`= s` pseudo-answers per row; and
    :math:`\pi \sim \mathrm{Dir}(1 + a)` with ``prior_smoothing`` :math:`= a`.

    EM, started from the majority vote's vote shares :math:`q_{tk}`:

    * M-step: :math:`n_w[k, y] = \sum_{r \in w, y_r = y} q_{t_r k}`;
      :math:`\theta_w[k, y] \propto n_w[k, y] + s\,\bar\theta[k, y]`;
      :math:`\pi_k \propto \sum_t q_{tk} + a`.
    * E-step: :math:`q_{tk} \propto \pi_k \prod_{r \in t} \theta_{w_r}[k, y_r]`.

    Stops when the mean log evidence per label changes by less than ``tol``, or after
    ``n_iter`` rounds. Deterministic (no random start).

    Fitted state: ``probas_``, ``labels_``, ``errors_`` (confusion matrices, shape
    (n_workers, n_classes, n_classes), indexed [worker, true, answer]), ``priors_``,
    ``loss_history_`` (mean log evidence per label), ``n_iter_``.

    Reference: A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer
    Error-Rates Using the EM Algorithm", JRSS C 28(1), 1979.

    Args:
        n_iter: Maximum number of EM rounds.
        tol: Convergence tolerance on the mean log evidence per label.
        smoothing: Pseudo-answers per confusion row, spread like the crowd's matrix.
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

    def _m_step(self, counts: FloatArray, class_mass: FloatArray) -> tuple[FloatArray, FloatArray]:
        k = counts.shape[1]
        centre = (1.0 - _FLOOR) * pooled_confusion(counts) + _FLOOR / k
        smoothed = counts + self.smoothing * centre[None, :, :]
        confusion = smoothed / smoothed.sum(axis=2, keepdims=True)
        prior = class_mass + self.prior_smoothing
        prior /= prior.sum()
        self.errors_ = confusion
        self.priors_ = prior
        return np.log(confusion), np.log(prior)

    def _fit_codes(self, codes: LabelCodes) -> None:
        design = ConfusionDesign(codes)
        self.probas_, self.loss_history_ = run_em(
            codes, design, self._m_step, self.n_iter, self.tol
        )
        self.n_iter_ = len(self.loss_history_)
