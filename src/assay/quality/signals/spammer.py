"""Spammer score from a worker's confusion matrix: answers that do not depend on the truth."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, float_vector, probability
from assay.quality.signals.signal import Signal, make_signal
from assay.quality.signals.truth_evidence import confusion_counts, leave_one_out_posteriors

# Below this share of determined truth a worker's answers were never compared with anything.
NO_EVIDENCE = 1e-6


def spammer_score(
    confusion: ArrayLike,
    row_counts: ArrayLike | None = None,
    *,
    min_skill: float = 0.35,
    threshold: float = 0.9,
    min_items: int = 20,
    constant_share: float = 0.95,
    determined_share: float | None = None,
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

    Evidence. Expected counts measure a worker against inferred truth, and that truth is
    evidence about the worker only where others fixed it: on tasks nobody else answered, with
    no gold, the leave-one-out truth is the class prior, every row of the counts is the same,
    and any worker, however careful, would measure kappa 0, a spammer's value. So the counts
    alone can never condemn anyone. ``determined_share`` :math:`r` (from
    :func:`~assay.quality.signals.truth_evidence.determined_share`) is the kappa a *perfect*
    worker would measure against the same posteriors, so the measured kappa is divided by it
    (back on its own scale); its noise is that of :math:`n_d = r\,n` answers of known truth,
    and ``min_items`` counts those :math:`n_d` determined items, not answers. A worker with
    :math:`r = 0` (answered alone, no gold) is ``unjudged`` and never flagged; a constant
    answerer who shares only a handful of tasks with others waits until those reach
    ``min_items``. Without ``determined_share`` the counts are taken as known truth (r = 1).

    Args:
        confusion: (K, K) matrix, rows = true class, columns = answer; rows are normalised
            here; rows summing to 0 (class never seen) are ignored.
        row_counts: Items of each true class behind each row.
        min_skill: Skill below which a worker counts as a spammer (default 0.35: accuracy
            about 51% on four balanced classes, 68% on two).
        threshold: Flag at this score.
        min_items: Never flag with fewer determined items (with counts). At 20 items of known
            truth a random or constant answerer's kappa of 0 lies 1.6 (two classes) to 2.7
            (four classes) standard errors below 0.35: just enough to reach 0.9.
        constant_share: The worker is a *constant* spammer when one answer takes this share.
        determined_share: Share of the truth behind the counts that others fixed, in [0, 1];
            needs ``row_counts``.

    Returns:
        A ``spammer`` :class:`Signal` with the skill and a one-sided 95% upper bound of it
        (``skill_upper``); ``evidence["pattern"]`` is ``constant``, ``random``, ``permuted``,
        ``skilled``, ``unknown`` (fewer than two classes seen) or ``unjudged`` (no truth
        fixed by others); ``measured_skill`` is kappa before the division by
        ``determined_share``, ``determined_items`` is :math:`n_d`.

    """
    probability(threshold, "threshold")
    rows, counts, classes = _rows(confusion, row_counts)
    reference = _reference(determined_share, counts)
    if len(rows) < 2:
        return make_signal(
            "spammer", 0.0, False, threshold, pattern="unknown", classes_seen=len(rows)
        )
    weights = np.ones(len(rows)) if counts is None else counts
    joint = rows * (weights / weights.sum())[:, None]
    shares, marginal = joint.sum(axis=1), joint.sum(axis=0)
    accuracy = float(joint[np.arange(len(rows)), classes].sum())
    chance = float(shares @ marginal[classes])
    measured = (accuracy - chance) / (1 - chance)
    items = float(weights.sum())
    determined = reference * items
    facts = {
        "accuracy": accuracy,
        "chance_accuracy": chance,
        "items": None if counts is None else items,
        "determined_items": None if counts is None else determined,
        "determined_share": None if determined_share is None else reference,
        "classes_seen": len(rows),
    }
    if reference <= NO_EVIDENCE:
        return make_signal("spammer", 0.0, False, threshold, pattern="unjudged", **facts)
    kappa = min(measured / reference, 1.0)
    if counts is None:
        spread, score = 0.0, float(kappa < min_skill)
    else:
        # The noise of a kappa measured on ``determined`` items of known truth.
        right = min(max(chance + kappa * (1 - chance), 0.0), 1.0)
        smoothed = (right * determined + 0.5) / (determined + 1)
        spread = math.sqrt(smoothed * (1 - smoothed) / determined) / (1 - chance)
        score = float(stats.norm.cdf((min_skill - kappa) / spread))
    flagged = score >= threshold and (counts is None or determined >= min_items)
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
        measured_skill=measured,
        separation=separation,
        dominant_answer=dominant,
        dominant_share=float(marginal[dominant]),
        **facts,
    )


def _reference(determined_share: float | None, counts: FloatArray | None) -> float:
    """Return the share of the truth that others fixed (1 when the caller gives none)."""
    if determined_share is None:
        return 1.0
    if counts is None:
        raise QualityInputError("determined_share needs row_counts")
    share = float(determined_share)
    if not 0.0 <= share <= 1.0:
        raise QualityInputError("determined_share must be in [0, 1]")
    return share


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

    The truth behind each answer is its task's posterior with the answer's own pull divided
    out (:func:`~assay.quality.signals.truth_evidence.leave_one_out_posteriors`), so that a
    worker does not agree with a truth they moved. Pass
    :func:`~assay.quality.signals.truth_evidence.determined_share` of the same posteriors to
    :func:`spammer_score` too: counts alone cannot tell a truth others fixed from the prior.

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
    posteriors = leave_one_out_posteriors(
        task_idx, worker_idx, label_idx, task_posteriors, worker_confusions
    )
    workers = np.asarray(worker_idx, dtype=np.intp)
    return confusion_counts(workers, label_idx, posteriors, int(workers.max()) + 1)
