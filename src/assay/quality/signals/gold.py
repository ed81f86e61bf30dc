"""Gold lifecycle checks: leaked gold, and gold that can be told apart from real tasks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, bool_vector, float_vector, probability
from assay.quality.signals._stats import benjamini_hochberg, binomial_upper_p
from assay.quality.signals.signal import Signal, make_signal, surprise_score


def gold_leak_score(
    gold_seconds: ArrayLike,
    gold_correct: ArrayLike,
    regular_seconds: ArrayLike,
    *,
    expected_accuracy: float | None = None,
    fast_quantile: float = 0.25,
    alpha: float = 1e-3,
    min_responses: int = 8,
) -> Signal:
    """Score whether a gold task has leaked: answered unusually fast *and* right by many.

    "Fast" means quicker than the ``fast_quantile`` of response times on regular tasks of the
    project. If the gold task is like the others, a response is fast with probability
    ``fast_quantile`` and right with ``expected_accuracy`` (the crowd's accuracy on other gold),
    so fast-and-right responses should be about ``fast_quantile x expected_accuracy`` of them
    (rushed answers are, if anything, less often right, which makes this conservative). The
    p-value is the binomial upper tail of the observed count; the score is
    :func:`surprise_score` of it. Without ``expected_accuracy`` every fast answer is assumed
    right, which still catches a leak that makes most answers fast.

    Args:
        gold_seconds: Active seconds of each response to this gold task.
        gold_correct: Whether each of those responses was right.
        regular_seconds: Active seconds of responses to regular tasks (same project).
        expected_accuracy: Crowd accuracy on other gold tasks.
        fast_quantile: Quantile of regular times below which a response counts as fast.
        alpha: Flag at p-values at or below this.
        min_responses: Never flag a gold task with fewer responses.

    Returns:
        A ``gold_leak`` :class:`Signal`.

    """
    seconds = float_vector(gold_seconds, "gold_seconds", minimum=0.0)
    right = bool_vector(gold_correct, "gold_correct")
    if right.size != seconds.size:
        raise QualityInputError("gold_seconds and gold_correct must have the same length")
    regular = float_vector(regular_seconds, "regular_seconds", minimum=0.0)
    probability(fast_quantile, "fast_quantile")
    accuracy = 1.0 if expected_accuracy is None else expected_accuracy
    probability(accuracy, "expected_accuracy", open_interval=False)
    cutoff = float(np.quantile(regular, fast_quantile))
    fast_right = int(np.count_nonzero((seconds < cutoff) & right))
    null_rate = min(fast_quantile * accuracy, 1.0)
    p_value = binomial_upper_p(fast_right, seconds.size, null_rate)
    flagged = p_value <= alpha and seconds.size >= min_responses
    return make_signal(
        "gold_leak",
        surprise_score(p_value),
        flagged,
        surprise_score(alpha),
        responses=seconds.size,
        fast_and_right=fast_right,
        expected_fast_and_right=null_rate * seconds.size,
        fast_cutoff_seconds=cutoff,
        gold_median_seconds=np.median(seconds),
        regular_median_seconds=np.median(regular),
        gold_accuracy=right.mean(),
        expected_accuracy=expected_accuracy,
        p_value=p_value,
    )


def indistinguishability(
    gold_features: Mapping[str, ArrayLike],
    regular_features: Mapping[str, ArrayLike],
    *,
    alpha: float = 0.01,
    max_distinguishability: float = 0.2,
    min_samples: int = 20,
    folds: int = 5,
    seed: int = 0,
) -> Signal:
    """Check that gold tasks cannot be told apart from real ones by their features.

    Give the same named features for both groups (e.g. ``active_seconds``, ``payload_chars``,
    ``n_fields``, ``position_in_batch``). Each feature gets a two-sample Kolmogorov-Smirnov
    test and an AUC (Mann-Whitney U / (n_gold n_regular)); all features together get a
    cross-validated linear discriminant whose held-out scores give an AUC. AUC 0.5 means
    indistinguishable. The score is the distinguishability ``2 |AUC - 0.5|`` (the largest over
    features and the combined model); flagged when it reaches ``max_distinguishability``
    (AUC 0.6) *and* a test is significant (BH-adjusted KS or Mann-Whitney p <= ``alpha``).

    Args:
        gold_features: Feature name -> values over gold tasks (or their responses).
        regular_features: Feature name -> values over regular tasks; same names.
        alpha: Significance level for the flag.
        max_distinguishability: Flag at this score.
        min_samples: Never flag with fewer samples in either group.
        folds: Cross-validation folds of the combined model.
        seed: Seed of the fold assignment.

    Returns:
        An ``gold_distinguishable`` :class:`Signal` with per-feature evidence.

    """
    names = sorted(gold_features)
    if not names or sorted(regular_features) != names:
        raise QualityInputError("give the same, non-empty feature names for gold and regular")
    gold = np.column_stack([float_vector(gold_features[n], f"gold {n}") for n in names])
    regular = np.column_stack([float_vector(regular_features[n], f"regular {n}") for n in names])
    if gold.shape[0] < 2 or regular.shape[0] < 2:
        raise QualityInputError("need at least two gold and two regular samples")
    per_feature = {name: _compare(gold[:, j], regular[:, j]) for j, name in enumerate(names)}
    combined_auc, combined_p = _cross_validated_auc(gold, regular, folds, seed)
    p_values = [f["ks_p_value"] for f in per_feature.values()] + [combined_p]
    q_values, _ = benjamini_hochberg(p_values)
    aucs = [f["auc"] for f in per_feature.values()] + [combined_auc]
    score = max(2 * abs(auc - 0.5) for auc in aucs)
    enough = min(gold.shape[0], regular.shape[0]) >= min_samples
    flagged = score >= max_distinguishability and float(q_values.min()) <= alpha and enough
    return make_signal(
        "gold_distinguishable",
        score,
        flagged,
        max_distinguishability,
        gold_samples=gold.shape[0],
        regular_samples=regular.shape[0],
        combined_auc=combined_auc,
        combined_p_value=combined_p,
        features=per_feature,
    )


def _compare(gold: FloatArray, regular: FloatArray) -> dict[str, float]:
    """Return one feature's AUC, KS statistic and KS p-value."""
    if np.all(gold == gold[0]) and np.all(regular == gold[0]):
        return {"auc": 0.5, "ks_statistic": 0.0, "ks_p_value": 1.0}
    u = stats.mannwhitneyu(gold, regular, alternative="two-sided").statistic
    ks = stats.ks_2samp(gold, regular)
    return {
        "auc": float(u) / (gold.size * regular.size),
        "ks_statistic": float(ks.statistic),
        "ks_p_value": float(ks.pvalue),
    }


def _cross_validated_auc(
    gold: FloatArray, regular: FloatArray, folds: int, seed: int
) -> tuple[float, float]:
    """Return the held-out AUC of a ridge-regularised linear discriminant and its p-value."""
    x = np.vstack([gold, regular])
    y = np.r_[np.ones(gold.shape[0], dtype=bool), np.zeros(regular.shape[0], dtype=bool)]
    rng = np.random.default_rng(seed)
    fold = np.empty(y.size, dtype=np.intp)
    for label in (True, False):
        members = np.flatnonzero(y == label)
        fold[rng.permutation(members)] = np.arange(members.size) % max(min(folds, members.size), 2)
    scores = np.empty(y.size)
    for k in np.unique(fold):
        train, test = fold != k, fold == k
        centre, scale = x[train].mean(axis=0), x[train].std(axis=0)
        scale[scale == 0] = 1.0
        z = (x - centre) / scale
        gap = z[train & y].mean(axis=0) - z[train & ~y].mean(axis=0)
        spread = np.cov(z[train], rowvar=False).reshape(x.shape[1], x.shape[1])
        weights = np.linalg.solve(spread + 0.1 * np.eye(x.shape[1]), gap)
        scores[test] = z[test] @ weights
    if np.all(scores == scores[0]):
        return 0.5, 1.0
    result = stats.mannwhitneyu(scores[y], scores[~y], alternative="greater")
    return float(result.statistic) / (y.sum() * (~y).sum()), float(result.pvalue)


def field_mismatch(
    gold_fields: Sequence[Collection[str]],
    regular_fields: Sequence[Collection[str]],
    *,
    max_difference: float = 0.1,
) -> Signal:
    """Check that gold and regular tasks carry the same payload fields.

    For each field name, compares the share of gold tasks that have it with the share of
    regular tasks; the score is the largest difference, flagged at ``max_difference``
    (a field every gold task has and no real task has scores 1).

    Args:
        gold_fields: The field names of each gold task's payload.
        regular_fields: The field names of each regular task's payload.
        max_difference: Flag at this difference in share.

    Returns:
        A ``gold_fields_differ`` :class:`Signal` listing the differing fields.

    """
    if len(gold_fields) == 0 or len(regular_fields) == 0:
        raise QualityInputError("need at least one gold and one regular task")
    gold = Counter(name for fields in gold_fields for name in set(fields))
    regular = Counter(name for fields in regular_fields for name in set(fields))
    differences = {
        name: gold[name] / len(gold_fields) - regular[name] / len(regular_fields)
        for name in sorted(set(gold) | set(regular))
    }
    score = max((abs(d) for d in differences.values()), default=0.0)
    return make_signal(
        "gold_fields_differ",
        score,
        score >= max_difference,
        max_difference,
        gold_tasks=len(gold_fields),
        regular_tasks=len(regular_fields),
        differing_fields={n: d for n, d in differences.items() if abs(d) >= max_difference},
    )
