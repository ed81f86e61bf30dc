"""The independence null for pairs of workers: a one-coin crowd model, left out pair by pair."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import BoolArray, FloatArray, IntArray

WorkerId = TypeVar("WorkerId", bound=Hashable)
TaskId = TypeVar("TaskId", bound=Hashable)
_ACCURACY_PRIOR = (2.1, 0.9)  # Beta pseudo-counts (right, wrong): a new worker starts near 0.7
_ERROR_SMOOTHING = 0.5  # pseudo-answers spread over the wrong classes of a task


@dataclass(frozen=True)
class AnswerModel:
    """The crowd's answers as codes, with a fitted one-coin model.

    Attributes:
        workers: Worker ids, by code.
        task_of: Per worker, the sorted codes of the tasks they answered.
        answer_of: Per worker, the answer codes aligned with ``task_of``.
        counts: (n_tasks, K) answers per task and class.
        logits: (n_tasks, K) log posterior of each task's truth given all answers (+ const).
        accuracy: Per worker, the fitted probability of answering the truth.

    """

    workers: list[Hashable]
    task_of: list[IntArray]
    answer_of: list[IntArray]
    counts: FloatArray
    logits: FloatArray
    accuracy: FloatArray


@dataclass(frozen=True)
class PairRates:
    """What two workers did on their shared tasks, and what independence predicts.

    Attributes:
        agree: Per shared task, whether they gave the same answer.
        shared_minority: Per shared task, whether they agreed on an answer that is not the
            most likely truth given everyone else.
        p_agree: Per shared task, the chance of agreeing if they answer independently.
        p_shared_minority: Per shared task, the chance of agreeing on such an answer.
        accuracy_a: Worker ``a``'s accuracy judged without ``b``.
        accuracy_b: Worker ``b``'s accuracy judged without ``a``.

    """

    agree: BoolArray
    shared_minority: BoolArray
    p_agree: FloatArray
    p_shared_minority: FloatArray
    accuracy_a: float
    accuracy_b: float


def fit_answer_model(
    answers: Mapping[WorkerId, Mapping[TaskId, Hashable]], n_iter: int = 15
) -> AnswerModel:
    """Encode the answers and fit a one-coin model (accuracy per worker) by EM.

    Each worker gives the truth with probability ``a_w`` and a wrong class otherwise; the task
    posterior is the accuracy-weighted vote and ``a_w`` the posterior mass on their answers,
    under a Beta prior worth three answers.
    """
    if not answers or not any(answers.values()):
        raise QualityInputError("answers is empty", {"argument": "answers"})
    tasks: dict[Hashable, int] = {}
    classes: dict[Hashable, int] = {}
    workers: list[Hashable] = list(answers)
    task_of, answer_of = [], []
    for given in answers.values():
        coded = sorted(
            (tasks.setdefault(t, len(tasks)), classes.setdefault(x, len(classes)))
            for t, x in given.items()
        )
        task_of.append(np.array([t for t, _ in coded], dtype=np.intp))
        answer_of.append(np.array([x for _, x in coded], dtype=np.intp))
    k = max(len(classes), 2)
    task = np.concatenate(task_of)
    worker = np.concatenate([np.full(t.size, w) for w, t in enumerate(task_of)])
    answer = np.concatenate(answer_of)
    counts = np.zeros((len(tasks), k))
    np.add.at(counts, (task, answer), 1.0)
    posterior = (counts + 0.1) / (counts + 0.1).sum(axis=1, keepdims=True)
    accuracy = np.full(len(workers), 0.7)
    logits = np.log(posterior)
    for _ in range(n_iter):
        right = np.bincount(worker, weights=posterior[task, answer], minlength=len(workers))
        seen = np.bincount(worker, minlength=len(workers))
        accuracy = (right + _ACCURACY_PRIOR[0]) / (seen + sum(_ACCURACY_PRIOR))
        accuracy = np.clip(accuracy, 1.0 / k + 0.01, 0.99)
        prior = posterior.mean(axis=0)
        logits = _task_logits(task, worker, answer, accuracy, np.log(prior), k)
        posterior = np.exp(logits - logits.max(axis=1, keepdims=True))
        posterior /= posterior.sum(axis=1, keepdims=True)
    return AnswerModel(workers, task_of, answer_of, counts, logits, accuracy)


def _task_logits(
    task: IntArray,
    worker: IntArray,
    answer: IntArray,
    accuracy: FloatArray,
    log_prior: FloatArray,
    k: int,
) -> FloatArray:
    """Return the log posterior of every task's truth under the one-coin model (+ const)."""
    log_wrong = np.log((1 - accuracy) / (k - 1))
    gain = np.log(accuracy) - log_wrong
    base = np.bincount(task, weights=log_wrong[worker], minlength=int(task.max()) + 1)
    logits = log_prior[None, :] + base[:, None]
    np.add.at(logits, (task, answer), gain[worker])
    return np.asarray(logits, dtype=np.float64)


def _without(
    model: AnswerModel, tasks: IntArray, removed: list[tuple[int, IntArray]]
) -> FloatArray:
    """Return the truth posteriors of ``tasks`` with some workers' answers taken out.

    ``removed`` holds (worker, answer per task or -1 where they did not answer).
    """
    k = model.counts.shape[1]
    logits = model.logits[tasks].copy()
    rows = np.arange(tasks.size)
    for worker, given in removed:
        acc = model.accuracy[worker]
        answered = given >= 0
        logits[answered] -= np.log((1 - acc) / (k - 1))
        logits[rows[answered], given[answered]] -= np.log(acc) - np.log((1 - acc) / (k - 1))
    truth = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(truth / truth.sum(axis=1, keepdims=True), dtype=np.float64)


def _answers_on(model: AnswerModel, worker: int, tasks: IntArray) -> IntArray:
    """Return ``worker``'s answer on each of ``tasks``, or -1 where they gave none."""
    position = np.searchsorted(model.task_of[worker], tasks)
    position = np.minimum(position, max(model.task_of[worker].size - 1, 0))
    found = model.task_of[worker][position] == tasks
    return np.where(found, model.answer_of[worker][position], -1).astype(np.intp)


def _accuracy_apart(model: AnswerModel, worker: int, partner: int) -> float:
    """Re-estimate ``worker``'s accuracy with the partner's answers taken out.

    In the crowd fit, a copier and its source confirm each other and both look accurate;
    without the partner, they are as accurate as the source really is. The worker's own answer
    stays in, as in the crowd fit: taking it out too judges honest workers against a noisier
    truth, understates their accuracy and so their expected agreement.
    """
    tasks, given = model.task_of[worker], model.answer_of[worker]
    truth = _without(model, tasks, [(partner, _answers_on(model, partner, tasks))])
    right = float(truth[np.arange(tasks.size), given].sum())
    k = model.counts.shape[1]
    accuracy = (right + _ACCURACY_PRIOR[0]) / (tasks.size + sum(_ACCURACY_PRIOR))
    return float(min(max(accuracy, 1.0 / k + 0.01), 0.99))


def _answer_model(
    model: AnswerModel, worker: int, accuracy: float, task_errors: FloatArray
) -> FloatArray:
    """Return P(answer c | truth z) per task, shape (n, K, K), for one worker.

    Right with ``accuracy``; otherwise a wrong class drawn half from the task's wrong answers
    (what confuses everyone) and half from the worker's own answer habits (a worker who
    leans on one label errs towards it).
    """
    k = task_errors.shape[1]
    habits = np.bincount(model.answer_of[worker], minlength=k) + _ERROR_SMOOTHING
    mixed = 0.5 * task_errors + 0.5 * (habits / habits.sum())[None, :]
    errors = mixed[:, None, :] * (1.0 - np.eye(k))[None, :, :]
    errors /= errors.sum(axis=2, keepdims=True)
    return np.asarray(accuracy * np.eye(k)[None] + (1 - accuracy) * errors, dtype=np.float64)


def pair_rates(model: AnswerModel, a: int, b: int) -> PairRates:
    """Compare workers ``a`` and ``b`` on their shared tasks against the independence null.

    The truth of each shared task is inferred from everyone *else*, and each worker's accuracy
    is re-estimated without the other's answers. Given the truth, each worker answers it with
    that accuracy and otherwise errs towards the classes other workers chose on that task
    (errors cluster on the confusable option) and towards their own habitual answers.
    """
    shared, ia, ib = np.intersect1d(model.task_of[a], model.task_of[b], return_indices=True)
    xa, xb = model.answer_of[a][ia], model.answer_of[b][ib]
    rows = np.arange(shared.size)
    truth = _without(model, shared, [(a, xa), (b, xb)])
    others = model.counts[shared].copy()
    others[rows, xa] -= 1
    others[rows, xb] -= 1
    task_errors = (others + _ERROR_SMOOTHING) / (others + _ERROR_SMOOTHING).sum(
        axis=1, keepdims=True
    )
    acc_a, acc_b = _accuracy_apart(model, a, b), _accuracy_apart(model, b, a)
    joint = _answer_model(model, a, acc_a, task_errors) * _answer_model(
        model, b, acc_b, task_errors
    )
    mode = truth.argmax(axis=1)
    p_agree = np.einsum("nz,nzc->n", truth, joint)
    p_mode = np.einsum("nz,nz->n", truth, joint[rows, :, mode])
    agree = xa == xb
    minority = agree & (xa != mode)
    return PairRates(agree, minority, p_agree, np.clip(p_agree - p_mode, 0.0, 1.0), acc_a, acc_b)
