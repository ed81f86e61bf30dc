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

from assay.quality._encoding import FloatArray, IntArray, LabelCodes
from assay.quality._posterior import (
    column_sums,
    converged,
    posterior_from_logits,
    row_sums,
)

# Returns (log confusion (W, K, K) indexed [worker, true, answer], log class prior (K,)).
MStep = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


class ConfusionDesign:
    """The one-hot sparse matrix of (task) x (worker, answer) cells, built once per fit."""

    def __init__(self, codes: LabelCodes) -> None:
        self.n_workers = codes.n_workers
        self.n_classes = codes.n_classes
        self.matrix = one_hot_rows(
            codes.task_idx,
            codes.worker_idx * codes.n_classes + codes.label_idx,
            (codes.n_tasks, codes.n_workers * codes.n_classes),
        )
        self.n_rows = codes.n_rows

    def vote_shares(self) -> FloatArray:
        """Majority-vote shares per task, from the same matrix (the EM starting point)."""
        by_label = np.tile(np.eye(self.n_classes), (self.n_workers, 1))
        tally = np.asarray(self.matrix @ by_label, dtype=np.float64)
        overall = column_sums(tally)
        totals = row_sums(tally)
        empty = totals <= 0
        totals[empty] = 1.0
        tally /= totals[:, None]  # in place: millions of rows, so no second copy
        tally[empty] = overall / overall.sum()
        return tally

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


def one_hot_rows(rows: IntArray, cols: IntArray, shape: tuple[int, int]) -> sp.csr_array:
    """Build a CSR matrix with a 1 at every (row, col); repeats add up like separate entries.

    Rows already in order (exports are usually grouped by task) are used as they are, with
    no sort and no COO copy; otherwise one stable argsort orders them.
    """
    if rows.size > 1 and bool((rows[1:] < rows[:-1]).any()):
        order = np.argsort(rows, kind="stable")
        rows, cols = rows[order], cols[order]
    index_type = np.int64 if cols.size >= 2**31 else np.int32
    indptr = np.searchsorted(rows, np.arange(shape[0] + 1)).astype(index_type)
    indices = cols.astype(index_type, copy=False)
    data = np.ones(cols.size, dtype=np.float64)
    return sp.csr_array((data, indices, indptr), shape=shape)


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
    probas = design.vote_shares()
    history: list[float] = []
    for _ in range(max(n_iter, 1)):
        counts = design.expected_counts(probas)
        log_confusion, log_prior = m_step(counts, column_sums(probas))
        del probas  # let the next posteriors reuse its memory
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
