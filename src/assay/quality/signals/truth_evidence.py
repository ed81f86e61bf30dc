"""How much inferred truth stands behind a worker's answers: leave-one-out posteriors and counts.

A worker is judged against the truth that truth inference inferred for their tasks. That truth
is evidence about the worker only in so far as it came from somewhere else: other workers'
answers on the same tasks, or gold. Once the worker's own answer is divided out of a task's
posterior (leave one out), what is left is the posterior the rest of the project supports; on a
task nobody else answered and without gold it is just the class prior, and it says nothing about
whether the worker was right.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, IntArray


def leave_one_out_posteriors(
    task_idx: ArrayLike,
    worker_idx: ArrayLike,
    label_idx: ArrayLike,
    task_posteriors: ArrayLike,
    worker_confusions: ArrayLike | None = None,
) -> FloatArray:
    r"""Return, for each answer, its task's truth posterior without that answer's own pull.

    Truth inference puts each worker's own answer into the posteriors of the tasks they
    answered, which pulls their estimated confusion towards the diagonal: a random clicker on
    a task with five answers "agrees with the truth" partly because it moved the truth, and a
    worker alone on a task agrees with it perfectly. Given the fitted confusions (Dawid-Skene's
    ``errors_``, indexed [worker, true, answer]), each answer's likelihood is divided out of
    its task's posterior: :math:`q_i(c) \propto p_{t_i}(c) / \pi^{(w_i)}_{c, a_i}`. Gold
    tasks, whose posterior is held at their answer, keep it.

    Args:
        task_idx: Task code of each answer.
        worker_idx: Worker code of each answer.
        label_idx: Answer code of each answer.
        task_posteriors: (n_tasks, K) posteriors, e.g. Dawid-Skene's ``probas_``.
        worker_confusions: (n_workers, K, K) fitted confusions for the leave-one-out
            correction; without them the posteriors are returned as they are.

    Returns:
        (n_answers, K) posteriors, rows summing to 1.

    """
    tasks, workers, labels = _codes(task_idx, worker_idx, label_idx)
    posteriors = np.asarray(task_posteriors, dtype=np.float64)
    if posteriors.ndim != 2 or tasks.max() >= posteriors.shape[0]:
        raise QualityInputError("task_posteriors must be (n_tasks, K) covering every task code")
    k = posteriors.shape[1]
    if labels.max() >= k:
        raise QualityInputError("codes must be >= 0 and labels < K")
    weights = posteriors[tasks]
    if worker_confusions is None:
        return np.asarray(weights, dtype=np.float64)
    confusions = np.asarray(worker_confusions, dtype=np.float64)
    if (
        confusions.ndim != 3
        or confusions.shape[0] <= workers.max()
        or confusions.shape[1:] != (k, k)
    ):
        raise QualityInputError("worker_confusions must be (n_workers, K, K)")
    weights = weights / np.maximum(confusions[workers, :, labels], 1e-6)
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-300)
    return np.asarray(weights, dtype=np.float64)


def confusion_counts(
    worker_idx: ArrayLike, label_idx: ArrayLike, answer_posteriors: ArrayLike, n_workers: int
) -> FloatArray:
    """Return each worker's expected (true class x answer) counts from per-answer posteriors."""
    workers = np.asarray(worker_idx, dtype=np.intp)
    labels = np.asarray(label_idx, dtype=np.intp)
    weights = np.asarray(answer_posteriors, dtype=np.float64)
    k = weights.shape[1]
    truths = np.arange(k)
    cells = ((workers[:, None] * k + truths[None, :]) * k + labels[:, None]).ravel()
    counts = np.bincount(cells, weights=weights.ravel(), minlength=n_workers * k * k)
    return np.asarray(counts.reshape(n_workers, k, k), dtype=np.float64)


def determined_share(
    worker_idx: ArrayLike, answer_posteriors: ArrayLike, n_workers: int
) -> FloatArray:
    r"""Return, per worker, the share of their answers' truth that the rest of the project fixed.

    For a worker whose answers have leave-one-out posteriors :math:`q_i` and class shares
    :math:`s = \bar q`, the share is the Gini impurity of :math:`s` that the posteriors remove:

    .. math:: r = \frac{\overline{\sum_c q_{ic}^2} - \sum_c s_c^2}{1 - \sum_c s_c^2}

    It is 1 when every task's truth is certain without the worker (gold, or several
    agreeing careful workers), 0 when no task's posterior moved away from the prior (the
    worker answered alone and no gold), and in between it is exactly the chance-corrected
    skill (kappa) that a *perfect* worker would show against these posteriors. So it is the
    factor by which the posteriors' uncertainty shrinks any worker's measured kappa towards
    0, the value that marks a spammer; :func:`~assay.quality.signals.spammer_score` divides
    it out, and ``r * answers`` is the number of answers' worth of truth known from others.

    Args:
        worker_idx: Worker code of each answer.
        answer_posteriors: (n_answers, K) leave-one-out posteriors, from
            :func:`leave_one_out_posteriors`.
        n_workers: Number of workers (codes 0 .. n_workers - 1).

    Returns:
        (n_workers,) shares in [0, 1]; 0 for a worker without answers.

    """
    workers = np.asarray(worker_idx, dtype=np.intp)
    posteriors = np.asarray(answer_posteriors, dtype=np.float64)
    if posteriors.ndim != 2 or posteriors.shape[0] != workers.size:
        raise QualityInputError("answer_posteriors needs one row per answer")
    answers = np.maximum(np.bincount(workers, minlength=n_workers), 1).astype(np.float64)
    shares: FloatArray = (
        np.stack(
            [
                np.bincount(workers, weights=posteriors[:, c], minlength=n_workers)
                for c in range(posteriors.shape[1])
            ],
            axis=1,
        )
        / answers[:, None]
    )
    purity: FloatArray = (
        np.bincount(workers, weights=(posteriors**2).sum(axis=1), minlength=n_workers) / answers
    )
    baseline = (shares**2).sum(axis=1)
    room = 1.0 - baseline
    share = np.zeros(n_workers)
    # A worker without answers has shares 0 and room 1, and so share 0 too.
    judged = room > 1e-9
    share[judged] = (purity[judged] - baseline[judged]) / room[judged]
    return np.asarray(np.clip(share, 0.0, 1.0), dtype=np.float64)


def _codes(
    task_idx: ArrayLike, worker_idx: ArrayLike, label_idx: ArrayLike
) -> tuple[IntArray, IntArray, IntArray]:
    tasks = np.asarray(task_idx, dtype=np.intp)
    workers = np.asarray(worker_idx, dtype=np.intp)
    labels = np.asarray(label_idx, dtype=np.intp)
    if tasks.size == 0 or not tasks.shape == workers.shape == labels.shape:
        raise QualityInputError("need aligned, non-empty task, worker and label codes")
    if labels.min() < 0 or tasks.min() < 0 or workers.min() < 0:
        raise QualityInputError("codes must be >= 0 and labels < K")
    return tasks, workers, labels
