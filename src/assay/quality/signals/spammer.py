"""Spammer score from a worker's confusion matrix: rows that are (nearly) all the same."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, IntArray, float_vector, probability
from assay.quality.signals.signal import Signal, make_signal


def spammer_score(
    confusion: ArrayLike,
    row_counts: ArrayLike | None = None,
    *,
    min_skill: float = 0.35,
    threshold: float = 0.9,
    min_items: int = 20,
    constant_share: float = 0.95,
    n_boot: int = 200,
    seed: int = 0,
) -> Signal:
    r"""Score how likely a worker is a spammer: answers that do not depend on the truth.

    A spammer's confusion rows are identical: whatever the true class, the answer is drawn
    from the same distribution (uniformly random, or always the same label). Raykar & Yu
    ("Eliminating spammers and ranking annotators for crowdsourced labeling tasks", JMLR 13,
    2012) measure the distance between rows,

    .. math:: S = \frac{1}{K(K-1)} \sum_{c < c'} \lVert \pi_c - \pi_{c'} \rVert^2,

    which is 0 for a spammer and 1 for a perfect worker. We report the *skill*
    :math:`\sqrt{S}`, which reads like accuracy above chance: for a worker right with
    probability :math:`a` and uniformly wrong otherwise it is :math:`(Ka - 1)/(K - 1)`
    (binary: Youden's J). With ``row_counts`` (items of each true class the worker answered,
    e.g. Dawid-Skene's expected counts), each squared distance is bias-corrected (an estimated
    row adds :math:`\sum_k \hat\pi_{ck}(1 - \hat\pi_{ck}) / (n_c - 1)` of noise), pairs of
    rows are weighted by :math:`n_c n_{c'} / (n_c + n_{c'})` (so a class seen twice cannot
    swamp one seen fifty times; rows under two items are dropped), and the uncertainty is
    bootstrapped. The score is the one-sided confidence that :math:`S` is below
    ``min_skill``\ :sup:`2`, :math:`\Phi((s_0^2 - \hat S) / \mathrm{sd})`. A random clicker
    with 100 items scores about 0.98; a sloppy binary worker at 75% accuracy (skill 0.5)
    about 0.1. Without counts the matrix is taken as exact and the score is 0 or 1.

    Args:
        confusion: (K, K) matrix, rows = true class, columns = answer; rows are normalised
            here; rows summing to 0 (class never seen) are ignored.
        row_counts: Items of each true class behind each row. With fewer than two classes
            seen at least twice, the pattern is ``unknown`` and nothing is flagged.
        min_skill: Skill below which a worker counts as a spammer (default 0.35: accuracy
            about 51% on four balanced classes, 68% on two).
        threshold: Flag at this score.
        min_items: Never flag with fewer items (with counts); the bootstrap is too optimistic
            on a handful of answers.
        constant_share: The worker is a *constant* spammer when one answer takes this share.
        n_boot: Bootstrap draws for the uncertainty.
        seed: Seed of the bootstrap.

    Returns:
        A ``spammer`` :class:`Signal`; ``evidence["pattern"]`` is ``constant``, ``random``,
        ``permuted`` (skilled but systematically mislabelling), ``skilled`` or ``unknown``.

    """
    rows, counts, classes = _rows(confusion, row_counts)
    probability(threshold, "threshold")
    if len(rows) < 2:
        return make_signal(
            "spammer", 0.0, False, threshold, pattern="unknown", classes_seen=len(rows)
        )
    weights = counts / counts.sum() if counts is not None else np.full(len(rows), 1 / len(rows))
    marginal = weights @ rows
    dominant = int(marginal.argmax())
    facts: dict[str, object] = {
        "classes_seen": len(rows),
        "items": None if counts is None else float(counts.sum()),
        "dominant_answer": dominant,
        "dominant_share": float(marginal[dominant]),
    }
    corrected = _separation(rows[None], None if counts is None else counts)[0]
    skill = math.sqrt(max(corrected, 0.0))
    if counts is None:
        score = 1.0 if skill < min_skill else 0.0
        spread = 0.0
    else:
        spread = _bootstrap_sd(rows, counts, n_boot, seed)
        gap = min_skill**2 - corrected
        score = float(stats.norm.cdf(gap / spread)) if spread > 0 else float(gap > 0)
    flagged = score >= threshold and (counts is None or counts.sum() >= min_items)
    diagonal = float(rows[np.arange(len(rows)), classes].mean())
    pattern = _pattern(flagged, float(marginal[dominant]), constant_share, diagonal, rows.shape[1])
    return make_signal(
        "spammer",
        score,
        flagged,
        threshold,
        pattern=pattern,
        skill=skill,
        skill_sd=spread,
        mean_diagonal=diagonal,
        **facts,
    )


def _rows(
    confusion: ArrayLike, row_counts: ArrayLike | None
) -> tuple[FloatArray, FloatArray | None, IntArray]:
    """Return the normalised rows of the classes seen, their counts and their class codes."""
    matrix = np.asarray(confusion, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise QualityInputError("confusion must be a non-empty square matrix")
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise QualityInputError("confusion must hold finite values >= 0")
    sums = matrix.sum(axis=1)
    seen = sums > 0
    counts = None
    if row_counts is not None:
        counts_all = float_vector(row_counts, "row_counts", minimum=0.0)
        if counts_all.size != matrix.shape[0]:
            raise QualityInputError("row_counts needs one count per row of confusion")
        seen &= counts_all >= 2  # one item per class cannot show a spread
        counts = counts_all[seen]
    if not np.any(sums > 0):
        raise QualityInputError("confusion has no row with any mass")
    return matrix[seen] / sums[seen, None], counts, np.flatnonzero(seen)


def _separation(rows: FloatArray, counts: FloatArray | None) -> FloatArray:
    """Return the (weighted, bias-corrected) S for a stack of row sets of shape (B, K', K).

    Without counts every pair of rows weighs the same (Raykar & Yu's S). With counts, a pair's
    squared distance loses its expected noise ``b_c + b_c'`` and pairs are weighted by
    ``n_c n_c' / (n_c + n_c')``, the inverse of that noise's scale, so a class the worker saw
    twice cannot swamp the classes seen fifty times.
    """
    gaps = rows[:, :, None, :] - rows[:, None, :, :]
    distances = (gaps**2).sum(axis=3)
    k_rows = rows.shape[1]
    if counts is None:
        weights = np.ones((k_rows, k_rows))
    else:
        noise = (rows * (1 - rows)).sum(axis=2) / np.maximum(counts - 1, 1)[None, :]
        distances = distances - noise[:, :, None] - noise[:, None, :]
        weights = np.outer(counts, counts) / np.add.outer(counts, counts)
    np.fill_diagonal(weights, 0.0)
    total = (distances * weights[None]).sum(axis=(1, 2))
    return np.asarray(total / (2 * weights.sum()), dtype=np.float64)


def _bootstrap_sd(rows: FloatArray, counts: FloatArray, n_boot: int, seed: int) -> float:
    """Return the parametric-bootstrap standard deviation of the corrected S."""
    rng = np.random.default_rng(seed)
    whole = np.maximum(np.rint(counts), 1).astype(np.int64)
    draws = np.stack(
        [
            rng.multinomial(n, row, size=max(n_boot, 2)) / n
            for n, row in zip(whole, rows, strict=True)
        ],
        axis=1,
    )
    return float(_separation(draws, whole.astype(np.float64)).std())


def _pattern(
    flagged: bool, dominant_share: float, constant_share: float, diagonal: float, k: int
) -> str:
    """Name the pattern: constant, random, permuted or skilled."""
    if flagged:
        return "constant" if dominant_share >= constant_share else "random"
    return "permuted" if diagonal < 1 / k else "skilled"


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
