"""The independence null for pairs of workers: a one-coin crowd model, left out pair by pair."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import BoolArray, FloatArray, IntArray

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

    """

    agree: BoolArray
    shared_minority: BoolArray
    p_agree: FloatArray
    p_shared_minority: FloatArray


def fit_answer_model(
    answers: Mapping[Hashable, Mapping[Hashable, Hashable]], n_iter: int = 15
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
    workers = list(answers)
    task_of, answer_of = [], []
    for name in workers:
        coded = sorted(
            (tasks.setdefault(t, len(tasks)), classes.setdefault(x, len(classes)))
            for t, x in answers[name].items()
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


def pair_rates(model: AnswerModel, a: int, b: int) -> PairRates:
    """Compare workers ``a`` and ``b`` on their shared tasks against the independence null.

    The truth of each shared task is inferred from everyone *else* (the pair's own answers are
    taken out of the posterior). Given the truth, each worker answers it with their accuracy and
    otherwise errs towards the classes other workers chose on that task (errors cluster on the
    confusable option, so sharing one is less surprising than under uniform errors).
    """
    shared, ia, ib = np.intersect1d(model.task_of[a], model.task_of[b], return_indices=True)
    xa, xb = model.answer_of[a][ia], model.answer_of[b][ib]
    n, k = shared.size, model.counts.shape[1]
    rows = np.arange(n)
    logits = model.logits[shared].copy()
    others = model.counts[shared].copy()
    for worker, given in ((a, xa), (b, xb)):
        acc = model.accuracy[worker]
        logits -= np.log((1 - acc) / (k - 1))
        logits[rows, given] -= np.log(acc) - np.log((1 - acc) / (k - 1))
        others[rows, given] -= 1
    truth = np.exp(logits - logits.max(axis=1, keepdims=True))
    truth /= truth.sum(axis=1, keepdims=True)
    off = 1.0 - np.eye(k)
    errors = (others + _ERROR_SMOOTHING)[:, None, :] * off[None, :, :]
    errors /= errors.sum(axis=2, keepdims=True)
    ja, jb = (
        model.accuracy[w] * np.eye(k)[None] + (1 - model.accuracy[w]) * errors for w in (a, b)
    )
    joint = ja * jb
    mode = truth.argmax(axis=1)
    p_agree = np.einsum("nz,nzc->n", truth, joint)
    p_mode = np.einsum("nz,nz->n", truth, joint[rows, :, mode])
    agree = xa == xb
    return PairRates(agree, agree & (xa != mode), p_agree, np.clip(p_agree - p_mode, 0.0, 1.0))
