"""Sparse design shared by the confusion-matrix models (Dawid-Skene and its Bayesian twin).

The annotations become one sparse one-hot matrix ``A`` of shape (n_tasks, n_workers * K) with
``A[t, w*K + y] = 1`` when worker ``w`` answered ``y`` on task ``t``. Then both EM steps are one
sparse-times-dense product each:

* E-step: ``logits = A @ L + log(pi)``, with ``L[w*K + y, k] = log theta_w[k, y]``;
* M-step: ``C = A.T @ q``, so ``C[w*K + y, k]`` is the expected count of (true k, answer y).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from assay.quality._encoding import FloatArray, LabelCodes
from assay.quality._posterior import converged, majority_probas, posterior_from_logits

# Returns (log confusion (W, K, K) indexed [worker, true, answer], log class prior (K,)).
MStep = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


class ConfusionDesign:
    """The one-hot sparse matrix of (task) x (worker, answer) cells, built once per fit."""

    def __init__(self, codes: LabelCodes) -> None:
        self.n_workers = codes.n_workers
        self.n_classes = codes.n_classes
        cells = codes.worker_idx * codes.n_classes + codes.label_idx
        shape = (codes.n_tasks, codes.n_workers * codes.n_classes)
        ones = np.ones(codes.n_rows, dtype=np.float64)
        self.matrix = sp.csr_array((ones, (codes.task_idx, cells)), shape=shape)
        self.matrix.sum_duplicates()
        self.n_rows = codes.n_rows

    def task_logits(self, log_confusion: FloatArray, log_prior: FloatArray) -> FloatArray:
        """Log joint of each class per task: ``log pi_k + sum_r log theta_{w_r}[k, y_r]``."""
        n_w, k = self.n_workers, self.n_classes
        by_cell = np.ascontiguousarray(log_confusion.transpose(0, 2, 1)).reshape(n_w * k, k)
        logits = np.asarray(self.matrix @ by_cell)
        logits += log_prior[None, :]
        return logits

    def expected_counts(self, probas: FloatArray) -> FloatArray:
        """Return expected (worker, true class, answer) counts under the task posteriors."""
        n_w, k = self.n_workers, self.n_classes
        by_cell = np.asarray(self.matrix.T @ probas)
        return np.ascontiguousarray(by_cell.reshape(n_w, k, k).transpose(0, 2, 1))


def run_em(
    codes: LabelCodes,
    design: ConfusionDesign,
    m_step: MStep,
    n_iter: int,
    tol: float,
) -> tuple[FloatArray, list[float]]:
    """EM from the majority vote: alternate ``m_step`` and the posterior until converged.

    Stops when the mean log evidence per row changes by less than ``tol`` or after
    ``n_iter`` rounds.

    Returns:
        The task posteriors and the per-row log evidence after each round.

    """
    probas = majority_probas(codes)
    history: list[float] = []
    for _ in range(max(n_iter, 1)):
        counts = design.expected_counts(probas)
        log_confusion, log_prior = m_step(counts, probas.sum(axis=0))
        probas, evidence = posterior_from_logits(design.task_logits(log_confusion, log_prior))
        history.append(evidence / design.n_rows)
        if converged(history, tol):
            break
    return probas, history


def pooled_confusion(counts: FloatArray, strength: float = 10.0) -> FloatArray:
    """Estimate the crowd's confusion matrix, pulled toward one-coin when evidence is thin.

    Rows are the expected (true, answer) counts of all workers plus ``strength`` pseudo-answers
    spread as a one-coin matrix at the crowd's mean accuracy, so a class seen on a handful of
    tasks does not get a row that explains every answer.
    """
    pooled = counts.sum(axis=0)
    k = pooled.shape[1]
    total = float(pooled.sum())
    accuracy = float(np.trace(pooled)) / total if total > 0 else 1.0 / k
    accuracy = min(max(accuracy, 1.0 / k), 1.0 - 1e-3)
    one_coin = np.full((k, k), (1.0 - accuracy) / max(k - 1, 1))
    np.fill_diagonal(one_coin, accuracy)
    smoothed = pooled + strength * one_coin
    return np.asarray(smoothed / smoothed.sum(axis=1, keepdims=True), dtype=np.float64)
