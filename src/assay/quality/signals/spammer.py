"""Spammer score from a worker's confusion matrix: answers that do not depend on the truth."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, float_vector, probability
from assay.quality.signals.signal import Signal, make_signal


def spammer_score(
    confusion: ArrayLike,
    row_counts: ArrayLike | None = None,
    *,
    min_skill: float = 0.35,
    threshold: float = 0.9,
    min_items: int = 20,
    constant_share: float = 0.95,
) -> Signal:
    r"""Score how likely a worker is a spammer: answers that do not depend on the truth.

    A spammer's confusion rows are identical: whatever the true class, the answer comes from
    the same distribution (uniformly random, biased, or always the same label). So the share
    of right answers is what chance gives, :math:`p_e = \sum_c \pi_c m_c` (class shares
    :math:`\pi` times the worker's own answer shares :math:`m`), however the worker is biased.
    The *skill* is the chance-corrected accuracy (Cohen's kappa between the worker and the
    truth), :math:`\kappa = (acc - p_e)/(1 - p_e)`: 0 for any spammer, 1 for a perfect
    worker, :math:`(Ka - 1)/(K - 1)` for accuracy :math:`a` with uniform errors, negative for
    a worker who systematically picks wrong labels. The score is the one-sided confidence
    that the skill is below ``min_skill``, :math:`\Phi((s_0 - \hat\kappa)/\mathrm{se})`, with
    :math:`\mathrm{se} = \sqrt{\tilde a(1 - \tilde a)/n}/(1 - p_e)`.

    Kappa is linear in the counts, so its noise is symmetric and it separates a random
    clicker from a poor worker after a few dozen answers; Raykar & Yu's row-distance score
    ("Eliminating spammers and ranking annotators for crowdsourced labeling tasks", JMLR 13,
    2012), :math:`S = \frac{1}{K(K-1)}\sum_{c<c'}\lVert\pi_c - \pi_{c'}\rVert^2`, is
    quadratic and needs two to three times as many answers (measured on our synthetic
    crowds). It is still reported, bias-corrected, as ``separation`` :math:`=\sqrt{S}`, and
    tells a *permuted* worker (answers depend on the truth, wrongly: a swapped scale) from a
    random one.

    With ``row_counts`` (items of each true class, e.g. Dawid-Skene's expected counts from
    :func:`worker_confusion_counts`) a random clicker with 40 items scores 0.9 or more about
    98% of the time, while honest workers of skill 0.5 rarely do. Without counts the matrix
    is taken as exact, classes as equally frequent, and the score is 0 or 1.

    Args:
        confusion: (K, K) matrix, rows = true class, columns = answer; rows are normalised
            here; rows summing to 0 (class never seen) are ignored.
        row_counts: Items of each true class behind each row.
        min_skill: Skill below which a worker counts as a spammer (default 0.35: accuracy
            about 51% on four balanced classes, 68% on two).
        threshold: Flag at this score.
        min_items: Never flag with fewer items (with counts).
        constant_share: The worker is a *constant* spammer when one answer takes this share.

    Returns:
        A ``spammer`` :class:`Signal` with the skill and a one-sided 95% upper bound of it
        (``skill_upper``); ``evidence["pattern"]`` is ``constant``, ``random``, ``permuted``,
        ``skilled`` or ``unknown`` (fewer than two classes seen).

    """
    probability(threshold, "threshold")
    rows, counts, classes = _rows(confusion, row_counts)
    if len(rows) < 2:
        return make_signal(
            "spammer", 0.0, False, threshold, pattern="unknown", classes_seen=len(rows)
        )
    weights = np.ones(len(rows)) if counts is None else counts
    joint = rows * (weights / weights.sum())[:, None]
    shares, marginal = joint.sum(axis=1), joint.sum(axis=0)
    accuracy = float(joint[np.arange(len(rows)), classes].sum())
    chance = float(shares @ marginal[classes])
    kappa = (accuracy - chance) / (1 - chance)
    items = float(weights.sum())
    if counts is None:
        spread, score = 0.0, float(kappa < min_skill)
    else:
        smoothed = (accuracy * items + 0.5) / (items + 1)
        spread = math.sqrt(smoothed * (1 - smoothed) / items) / (1 - chance)
        score = float(stats.norm.cdf((min_skill - kappa) / spread))
    flagged = score >= threshold and (counts is None or items >= min_items)
    separation = _separation(rows, counts)
    dominant = int(marginal.argmax())
    return make_signal(
        "spammer",
        score,
        flagged,
        threshold,
        pattern=_pattern(flagged, float(marginal[dominant]), constant_share, separation, min_skill),
        skill=kappa,
        skill_upper=kappa + 1.645 * spread,
        accuracy=accuracy,
        chance_accuracy=chance,
        separation=separation,
        items=None if counts is None else items,
        classes_seen=len(rows),
        dominant_answer=dominant,
        dominant_share=float(marginal[dominant]),
    )


def _rows(
    confusion: ArrayLike, row_counts: ArrayLike | None
) -> tuple[FloatArray, FloatArray | None, np.ndarray]:
    """Return the normalised rows of the classes seen, their counts and their class codes."""
    matrix = np.asarray(confusion, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise QualityInputError("confusion must be a non-empty square matrix")
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise QualityInputError("confusion must hold finite values >= 0")
    sums = matrix.sum(axis=1)
    if not np.any(sums > 0):
        raise QualityInputError("confusion has no row with any mass")
    seen = sums > 0
    counts = None
    if row_counts is not None:
        counts_all = float_vector(row_counts, "row_counts", minimum=0.0)
        if counts_all.size != matrix.shape[0]:
            raise QualityInputError("row_counts needs one count per row of confusion")
        seen &= counts_all > 0
        counts = counts_all[seen]
    return matrix[seen] / sums[seen, None], counts, np.flatnonzero(seen)


def _separation(rows: FloatArray, counts: FloatArray | None) -> float | None:
    """Return Raykar-Yu's row separation sqrt(S), bias-corrected and weighted with counts.

    With counts, each pair's squared distance loses its expected noise (an estimated row adds
    ``sum_k p_k (1 - p_k) / (n - 1)``) and pairs are weighted by ``n_c n_c' / (n_c + n_c')``;
    rows under two items are dropped. None when fewer than two rows remain.
    """
    if counts is not None:
        keep = counts >= 2
        rows, counts = rows[keep], counts[keep]
    if len(rows) < 2:
        return None
    distances = ((rows[:, None, :] - rows[None, :, :]) ** 2).sum(axis=2)
    if counts is None:
        weights = np.ones((len(rows), len(rows)))
    else:
        noise = (rows * (1 - rows)).sum(axis=1) / (counts - 1)
        distances = distances - noise[:, None] - noise[None, :]
        weights = np.outer(counts, counts) / np.add.outer(counts, counts)
    np.fill_diagonal(weights, 0.0)
    separation = float((distances * weights).sum() / (2 * weights.sum()))
    return math.sqrt(max(separation, 0.0))


def _pattern(
    flagged: bool,
    dominant_share: float,
    constant_share: float,
    separation: float | None,
    min_skill: float,
) -> str:
    """Name the pattern: constant, permuted, random or skilled."""
    if not flagged:
        return "skilled"
    if dominant_share >= constant_share:
        return "constant"
    if separation is not None and separation >= min_skill:
        return "permuted"
    return "random"


def worker_confusion_counts(
    task_idx: ArrayLike,
    worker_idx: ArrayLike,
    label_idx: ArrayLike,
    task_posteriors: ArrayLike,
    worker_confusions: ArrayLike | None = None,
) -> FloatArray:
    """Return each worker's expected (true class x answer) counts, for :func:`spammer_score`.

    Truth inference puts each worker's own answer into the posteriors of the tasks they
    answered, which pulls their estimated confusion towards the diagonal: a random clicker
    on a task with five answers "agrees with the truth" partly because it moved the truth.
    Given the fitted confusions (Dawid-Skene's ``errors_``, indexed [worker, true, answer]),
    each answer's own likelihood is divided out of its task's posterior first (leave one out).

    Args:
        task_idx: Task code of each answer.
        worker_idx: Worker code of each answer.
        label_idx: Answer code of each answer.
        task_posteriors: (n_tasks, K) posteriors, e.g. Dawid-Skene's ``probas_``.
        worker_confusions: (n_workers, K, K) fitted confusions for the leave-one-out
            correction; without them the posteriors are used as they are.

    Returns:
        Counts of shape (n_workers, K, K); ``counts[w].sum(axis=1)`` are the row counts.

    """
    tasks = np.asarray(task_idx, dtype=np.intp)
    workers = np.asarray(worker_idx, dtype=np.intp)
    labels = np.asarray(label_idx, dtype=np.intp)
    posteriors = np.asarray(task_posteriors, dtype=np.float64)
    if tasks.size == 0 or not tasks.shape == workers.shape == labels.shape:
        raise QualityInputError("need aligned, non-empty task, worker and label codes")
    if posteriors.ndim != 2 or tasks.max() >= posteriors.shape[0]:
        raise QualityInputError("task_posteriors must be (n_tasks, K) covering every task code")
    k = posteriors.shape[1]
    if labels.min() < 0 or labels.max() >= k or tasks.min() < 0 or workers.min() < 0:
        raise QualityInputError("codes must be >= 0 and labels < K")
    weights = posteriors[tasks]
    n_workers = int(workers.max()) + 1
    if worker_confusions is not None:
        confusions = np.asarray(worker_confusions, dtype=np.float64)
        if (
            confusions.ndim != 3
            or confusions.shape[0] < n_workers
            or confusions.shape[1:] != (k, k)
        ):
            raise QualityInputError("worker_confusions must be (n_workers, K, K)")
        weights = weights / np.maximum(confusions[workers, :, labels], 1e-6)
        weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-300)
    truths = np.arange(k)
    cells = ((workers[:, None] * k + truths[None, :]) * k + labels[:, None]).ravel()
    counts = np.bincount(cells, weights=weights.ravel(), minlength=n_workers * k * k)
    return np.asarray(counts.reshape(n_workers, k, k), dtype=np.float64)
