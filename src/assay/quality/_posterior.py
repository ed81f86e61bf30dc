"""Shared vectorised steps of the EM aggregators: vote tallies, row log-likelihoods, posteriors."""

from __future__ import annotations

from functools import reduce

import numpy as np
from numpy.typing import NDArray

from assay.quality._encoding import FloatArray, IntArray, LabelCodes

_TIE_TOLERANCE = 1e-12


def vote_tally(codes: LabelCodes, weights: FloatArray | None = None) -> FloatArray:
    """Weighted vote count per (task, class), shape ``(n_tasks, n_classes)``."""
    flat = codes.task_idx * codes.n_classes + codes.label_idx
    tally = np.bincount(flat, weights=weights, minlength=codes.n_tasks * codes.n_classes)
    shaped = np.asarray(tally, dtype=np.float64).reshape(codes.n_tasks, codes.n_classes)
    return shaped


def normalise_rows(scores: FloatArray, fallback: FloatArray | None = None) -> FloatArray:
    """Scale non-negative rows to sum to one; all-zero rows get ``fallback`` (default uniform)."""
    totals = row_sums(scores)[:, None]
    empty = totals[:, 0] <= 0
    out = np.zeros_like(scores)
    np.divide(scores, totals, out=out, where=totals > 0)
    if empty.any():
        n_classes = scores.shape[1]
        out[empty] = fallback if fallback is not None else 1.0 / n_classes
    return out


def majority_probas(codes: LabelCodes, weights: FloatArray | None = None) -> FloatArray:
    """Share of (weighted) votes per class for each task; the EM aggregators start here."""
    tally = vote_tally(codes, weights)
    overall = tally.sum(axis=0)
    fallback = overall / overall.sum() if overall.sum() > 0 else None
    return normalise_rows(tally, fallback)


def row_loglik_to_tasks(
    codes: LabelCodes, base: FloatArray, bonus: FloatArray, log_prior: FloatArray
) -> FloatArray:
    """Sum per-row log-likelihoods into per-task, per-class log joint probabilities.

    Row ``r`` contributes ``base[r]`` to every class of its task and ``base[r] + bonus[r]`` to
    the class it chose: the shape of every "one-coin"-like model (one-coin DS, GLAD, MACE).

    Returns:
        ``log_prior[k] + sum_r (base[r] + bonus[r] * [label_r == k])``, shape (n_tasks, n_classes).

    """
    n_tasks, n_classes = codes.n_tasks, codes.n_classes
    per_task = np.bincount(codes.task_idx, weights=base, minlength=n_tasks)
    flat = codes.task_idx * n_classes + codes.label_idx
    chosen = np.bincount(flat, weights=bonus, minlength=n_tasks * n_classes)
    logits = np.asarray(chosen, dtype=np.float64).reshape(n_tasks, n_classes)
    logits += per_task[:, None]
    logits += log_prior[None, :]
    return logits


def posterior_from_logits(logits: FloatArray) -> tuple[FloatArray, float]:
    """Softmax each row in place; also return the total log evidence ``sum_t logsumexp``.

    Reductions run column by column: with few classes that is several times faster than
    numpy's reduction along a short last axis.
    """
    top = row_max(logits)
    logits -= top[:, None]
    np.exp(logits, out=logits)
    totals = row_sums(logits)
    logits /= totals[:, None]
    evidence = float(np.log(totals).sum() + top.sum())
    return logits, evidence


def chosen_posterior(codes: LabelCodes, probas: FloatArray) -> FloatArray:
    """Posterior probability, for each row, that the row's label is the true one."""
    return probas[codes.task_idx, codes.label_idx]


def decide(probas: FloatArray, class_use: FloatArray, seed: int | None) -> IntArray:
    """Most probable class per task; exact ties go to the class workers used least.

    A vote for a label workers rarely give is stronger evidence than a vote for the label
    they give by default (careless answers pile up on the common label), so among tied
    classes the least-used one wins; remaining ties are broken at random with ``seed``.

    Args:
        probas: Posterior per (task, class).
        class_use: How many rows used each class.
        seed: Seed of the tie-breaking draw; the same seed gives the same labels.

    Returns:
        The chosen class code per task.

    """
    labels = np.asarray(probas.argmax(axis=1), dtype=np.intp)
    near = probas >= (row_max(probas) - _TIE_TOLERANCE)[:, None]
    rows = np.flatnonzero(np.einsum("ij->i", near.view(np.int8), dtype=np.int64) > 1)
    if rows.size == 0:
        return labels
    block = probas[rows]
    tied = block >= block.max(axis=1, keepdims=True) - _TIE_TOLERANCE
    draw = np.random.default_rng(seed).random(probas.shape)[rows]  # one draw per cell
    rank = class_use.max() + 1.0 - class_use  # larger for rarer classes
    labels[rows] = np.where(tied, rank[None, :] + draw, -1.0).argmax(axis=1)
    return labels


def class_frequency(codes: LabelCodes) -> FloatArray:
    """How often each class was used, over all rows."""
    return count_codes(codes.label_idx, codes.n_classes)


def count_codes(values: IntArray, size: int, chunk: int = 1 << 17) -> FloatArray:
    """``np.bincount`` in slices: it widens int32 input to int64, so slices keep that small."""
    counts = np.zeros(size, dtype=np.float64)
    for start in range(0, values.shape[0], chunk):
        counts += np.bincount(values[start : start + chunk], minlength=size)
    return counts


def dirichlet_mean(counts: NDArray[np.float64], pseudo: float | FloatArray) -> FloatArray:
    """Posterior-mean probabilities of a categorical with a symmetric or given Dirichlet prior."""
    smoothed = counts + pseudo
    return np.asarray(smoothed / smoothed.sum(axis=-1, keepdims=True), dtype=np.float64)


def worker_agreement(codes: LabelCodes, labels: IntArray) -> FloatArray:
    """Share of each worker's rows whose label equals the task's label in ``labels``."""
    hits = (codes.label_idx == labels[codes.task_idx]).astype(np.float64)
    agree = np.bincount(codes.worker_idx, weights=hits, minlength=codes.n_workers)
    total = np.bincount(codes.worker_idx, minlength=codes.n_workers)
    return np.divide(agree, total, out=np.zeros(codes.n_workers), where=total > 0)


def converged(history: list[float], tol: float) -> bool:
    """Tell whether the last two objective values differ by less than ``tol``."""
    return len(history) > 1 and abs(history[-1] - history[-2]) < tol


def log_sigmoid(x: FloatArray) -> FloatArray:
    """``log(1 / (1 + exp(-x)))``, stable and several times faster than ``np.logaddexp``."""
    return np.asarray(np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x))), dtype=np.float64)


def row_sums(matrix: FloatArray) -> FloatArray:
    """Sum of each row; ``einsum`` is several times faster than ``sum(axis=1)`` on few columns."""
    return np.asarray(np.einsum("ij->i", matrix), dtype=np.float64)


def column_sums(matrix: FloatArray) -> FloatArray:
    """Sum of each column (``einsum``: faster than ``sum(axis=0)`` on tall matrices)."""
    return np.asarray(np.einsum("ij->j", matrix), dtype=np.float64)


def row_max(matrix: FloatArray) -> FloatArray:
    """Largest entry of each row, column by column (faster than ``max(axis=1)``)."""
    columns = [matrix[:, k] for k in range(matrix.shape[1])]
    return np.asarray(reduce(np.maximum, columns), dtype=np.float64).copy()
