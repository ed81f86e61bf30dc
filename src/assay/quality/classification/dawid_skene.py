"""Dawid-Skene: one full confusion matrix per worker, fitted by EM with Dirichlet smoothing."""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike

from assay.quality._encoding import FloatArray, IntArray, LabelCodes
from assay.quality.classification._base import CategoricalAggregator
from assay.quality.classification._confusion import ConfusionDesign, pooled_confusion, run_em
from assay.quality.errors import QualityInputError

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
        self._known: tuple[IntArray, IntArray] | None = None

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

    def fit_with_gold(
        self,
        task_idx: ArrayLike,
        worker_idx: ArrayLike,
        label_idx: ArrayLike,
        *,
        gold_tasks: ArrayLike,
        gold_labels: ArrayLike,
        n_tasks: int | None = None,
        n_workers: int | None = None,
        n_classes: int | None = None,
    ) -> Self:
        """Fit with the true class of some tasks known (semi-supervised Dawid-Skene).

        The known tasks' posteriors are held at their class through EM, so each worker's
        confusion matrix is learned from gold where there is gold, not only from agreement
        with the crowd: a careful worker paired mostly with a spammer is not blamed for the
        disagreements. ``probas_`` of the known tasks are their one-hot classes.

        Args:
            task_idx: Task code per row.
            worker_idx: Worker code per row.
            label_idx: Label code per row.
            gold_tasks: Codes of the tasks whose class is known.
            gold_labels: Their class codes.
            n_tasks: Number of tasks (default: largest code + 1).
            n_workers: Number of workers (default: largest code + 1).
            n_classes: Number of classes (default: largest code + 1).

        Returns:
            self.

        Raises:
            QualityInputError: On inconsistent input or gold codes out of range.

        """
        tasks = np.asarray(gold_tasks, dtype=np.int64).ravel()
        labels = np.asarray(gold_labels, dtype=np.int64).ravel()
        if tasks.size != labels.size:
            raise QualityInputError("gold_tasks and gold_labels must have the same length")
        self._known = (tasks, labels)
        try:
            self.fit(
                task_idx,
                worker_idx,
                label_idx,
                n_tasks=n_tasks,
                n_workers=n_workers,
                n_classes=n_classes,
            )
        finally:
            self._known = None
        return self

    def _fit_codes(self, codes: LabelCodes) -> None:
        design = ConfusionDesign(codes)
        known = self._known
        if known is not None and known[0].size:
            bad = (known[0] < 0) | (known[0] >= codes.n_tasks)
            bad |= (known[1] < 0) | (known[1] >= codes.n_classes)
            if bad.any():
                raise QualityInputError("a gold task or class code is out of range")
        self.probas_, self.loss_history_ = run_em(
            codes, design, self._m_step, self.n_iter, self.tol, known
        )
        self.n_iter_ = len(self.loss_history_)
