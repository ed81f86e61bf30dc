"""Sparse design shared by the confusion-matrix models (Dawid-Skene and its Bayesian twin).

The annotations become one sparse one-hot matrix ``A`` of shape (n_tasks, n_workers * K) with
``A[t, w*K + y] = 1`` when worker ``w`` answered ``y`` on task ``t``. Then both EM steps are one
sparse-times-dense product each:

* E-step: ``logits = A @ L + log(pi)``, with ``L[w*K + y, k] = log theta_w[k, y]``;
* M-step: ``C = A.T @ q``, so ``C[w*K + y, k]`` is the expected count of (true k, answer y).

Everything else in a round works in place on the (n_tasks, K) array the product returns.
No BLAS calls: on a shared machine OpenBLAS threads turn a 0.3 ms matrix-vector product into
several milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from assay.quality._encoding import FloatArray, IntArray, LabelCodes
from assay.quality._posterior import converged, count_codes, row_sums

# A row whose shifted posterior sums below this (every class under exp(-69)) is redone in
# double precision: single precision keeps full relative precision only down to about 1e-38.
_UNDERFLOW = 1e-30
# Rows per block when summing columns: long rows keep numpy's reduction vectorised.
_BLOCK = 256

# Returns (log confusion (W, K, K) indexed [worker, true, answer], log class prior (K,)).
MStep = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


class ConfusionDesign:
    """The one-hot sparse matrix of (task) x (worker, answer) cells, built once per fit."""

    def __init__(self, codes: LabelCodes) -> None:
        self.n_workers = codes.n_workers
        self.n_classes = codes.n_classes
        self.n_rows = codes.n_rows
        cells = cell_codes(codes)
        self.matrix = one_hot_rows(
            codes.task_idx, cells, (codes.n_tasks, codes.n_workers * codes.n_classes)
        )
        # how many rows fall in each (worker, answer) cell: turns shifts per cell into evidence
        self.cell_counts = count_codes(cells, self.matrix.shape[1])

    def vote_shares(self) -> FloatArray:
        """Majority-vote shares per task, from the same matrix (the EM starting point)."""
        by_label = np.tile(np.eye(self.n_classes), (self.n_workers, 1))
        tally = np.asarray(self.matrix @ by_label, dtype=np.float64)
        answers = np.diff(self.matrix.indptr).astype(np.float64)  # rows per task, no pass
        overall = column_totals(tally)
        empty = answers <= 0
        answers[empty] = 1.0
        np.divide(tally, answers[:, None], out=tally)  # in place: millions of rows
        if empty.any():
            tally[empty] = overall / overall.sum()
        return tally

    def posterior(
        self, log_confusion: FloatArray, log_prior: FloatArray
    ) -> tuple[FloatArray, float]:
        """E-step: task posteriors and the total log evidence ``sum_t log p(answers of t)``.

        Each (worker, answer) row of log-likelihoods is first shifted so its largest entry is
        0. A task's joint then differs from the true one by a per-task constant (the softmax
        ignores it; the evidence adds it back as ``sum_cells count * shift``) and is at most 0,
        so ``exp`` needs no per-row maximum: two passes fewer. Rows whose every class falls
        below ``exp(-69)`` (dozens of confident, conflicting answers) are redone exactly.

        ``exp`` runs in single precision: numpy vectorises it only there on x86 CPUs without
        AVX-512, and in double it was the costliest step of a round (three times as long).
        Each posterior then carries a relative error of at most a few 1e-6 (the log joint
        rounded to single), against a convergence tolerance of 1e-5 on the evidence; sums
        and normalising stay in double.
        """
        n_w, k = self.n_workers, self.n_classes
        by_cell = np.ascontiguousarray(log_confusion.transpose(0, 2, 1)).reshape(n_w * k, k)
        shift = by_cell.max(axis=1)
        shift[~np.isfinite(shift)] = 0.0  # an answer impossible under every class stays so
        by_cell -= shift[:, None]
        joint = np.asarray(self.matrix @ by_cell, dtype=np.float64)
        add_to_each_row(joint, log_prior)
        np.exp(joint, out=joint, dtype=np.float32)
        totals = row_sums(joint)
        deep = np.flatnonzero(totals < _UNDERFLOW)
        deep_evidence = 0.0
        if deep.size:
            joint[deep], deep_log_totals = self._exact_rows(deep, by_cell, log_prior)
            totals[deep] = 1.0  # those rows are normalised already
            deep_evidence = float(deep_log_totals.sum())
        evidence = float(
            np.log(totals).sum() + deep_evidence + float((self.cell_counts * shift).sum())
        )
        np.reciprocal(totals, out=totals)
        joint *= totals[:, None]
        return joint, evidence

    def _exact_rows(
        self, rows: IntArray, by_cell: FloatArray, log_prior: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Posteriors of ``rows`` shifted by their own maximum, and their log normalisers."""
        joint = np.asarray(self.matrix[rows] @ by_cell, dtype=np.float64) + log_prior
        top = joint.max(axis=1)
        weights = np.exp(joint - top[:, None])
        totals = weights.sum(axis=1)
        return weights / totals[:, None], np.log(totals) + top

    def expected_counts(self, probas: FloatArray) -> FloatArray:
        """Return expected (worker, true class, answer) counts under the task posteriors."""
        n_w, k = self.n_workers, self.n_classes
        by_cell = np.asarray(self.matrix.T @ probas)
        return np.ascontiguousarray(by_cell.reshape(n_w, k, k).transpose(0, 2, 1))


def cell_codes(codes: LabelCodes) -> IntArray:
    """Column of each row in the design: ``worker * K + answer`` (int64 only when needed)."""
    if codes.n_workers * codes.n_classes >= 2**31:
        return codes.worker_idx.astype(np.int64) * codes.n_classes + codes.label_idx
    return codes.worker_idx * codes.n_classes + codes.label_idx


def one_hot_rows(rows: IntArray, cols: IntArray, shape: tuple[int, int]) -> sp.csr_array:
    """Build a CSR matrix with a 1 at every (row, col); repeats add up like separate entries.

    Rows already in order (exports are usually grouped by task) are used as they are, with
    no sort and no COO copy; otherwise one stable argsort orders them.
    """
    if rows.size > 1 and bool((rows[1:] < rows[:-1]).any()):
        order = np.argsort(rows, kind="stable")
        rows, cols = rows[order], cols[order]
    index_type = np.int64 if max(cols.size, shape[1]) >= 2**31 else np.int32
    indptr = row_pointers(rows, shape[0]).astype(index_type, copy=False)
    indices = cols.astype(index_type, copy=False)
    data = np.ones(cols.size, dtype=np.float64)
    return sp.csr_array((data, indices, indptr), shape=shape)


def row_pointers(rows: IntArray, n_rows: int) -> IntArray:
    """CSR row pointers of sorted row codes: ``out[r]`` is the first position with row >= r.

    Read off the block boundaries in one pass; a binary search per row (``searchsorted``)
    costs several times more on millions of entries.
    """
    size = rows.shape[0]
    if size == 0:
        return np.zeros(n_rows + 1, dtype=np.int64)
    starts = np.concatenate(([0], np.flatnonzero(rows[1:] != rows[:-1]) + 1))
    present = rows[starts].astype(np.int64)
    # pointer r is the start of the first present row >= r, or the end past the last one
    repeats = np.diff(np.concatenate(([-1], present, [n_rows])))
    return np.repeat(np.append(starts, size), repeats)


def run_em(
    codes: LabelCodes,
    design: ConfusionDesign,
    m_step: MStep,
    n_iter: int,
    tol: float,
    known: tuple[IntArray, IntArray] | None = None,
) -> tuple[FloatArray, list[float]]:
    """EM from the majority vote: alternate ``m_step`` and the posterior until converged.

    Stops when the mean log evidence per row changes by less than ``tol`` or after
    ``n_iter`` rounds. ``known`` (task codes, class codes) holds those tasks' posteriors at
    their true class throughout, so the M-step learns each worker's errors from gold.

    Returns:
        The task posteriors and the per-row log evidence after each round.

    """
    probas = _hold(design.vote_shares(), known)
    history: list[float] = []
    for _ in range(max(n_iter, 1)):
        counts = design.expected_counts(probas)
        log_confusion, log_prior = m_step(counts, column_totals(probas))
        del probas  # let the next posteriors reuse its memory
        probas, evidence = design.posterior(log_confusion, log_prior)
        probas = _hold(probas, known)
        history.append(evidence / design.n_rows)
        if converged(history, tol):
            break
    return probas, history


def _hold(probas: FloatArray, known: tuple[IntArray, IntArray] | None) -> FloatArray:
    """Set the known tasks' posteriors to their true class (in place)."""
    if known is not None and known[0].size:
        probas[known[0]] = 0.0
        probas[known[0], known[1]] = 1.0
    return probas


def add_to_each_row(matrix: FloatArray, vector: FloatArray) -> None:
    """``matrix += vector`` in place, for a tall C-ordered matrix with few columns.

    Broadcasting over rows of a few entries runs numpy's inner loop a few elements at a
    time; viewing blocks of rows as one long row, with the vector tiled to match, is 3x faster.
    """
    full = matrix.shape[0] // _BLOCK * _BLOCK
    if full:
        blocks = matrix[:full].reshape(-1, _BLOCK * matrix.shape[1])
        blocks += np.tile(vector, _BLOCK)
    matrix[full:] += vector


def column_totals(matrix: FloatArray) -> FloatArray:
    """Column sums of a tall C-ordered matrix with few columns (block trick, 2-3x faster)."""
    full = matrix.shape[0] // _BLOCK * _BLOCK
    k = matrix.shape[1]
    totals = np.asarray(matrix[full:].sum(axis=0), dtype=np.float64)
    if full:
        blocks = matrix[:full].reshape(-1, _BLOCK * k)
        totals += blocks.sum(axis=0).reshape(_BLOCK, k).sum(axis=0)
    return totals


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
