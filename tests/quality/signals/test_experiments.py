from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from assay.quality.signals import (
    VariantOutcome,
    benjamini_hochberg,
    bootstrap_difference_ci,
    compare_variants,
    fisher_exact_test,
    mann_whitney_test,
    newcombe_interval,
    sample_size_means,
    sample_size_two_proportions,
    two_proportion_ztest,
    welch_ttest,
)


def test_two_proportion_ztest_known_answer() -> None:
    result = two_proportion_ztest(85, 100, 95, 100)
    pooled = 0.9
    z = 0.1 / np.sqrt(pooled * (1 - pooled) * 2 / 100)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 0.1 < result.ci_high
    assert two_proportion_ztest(10, 10, 10, 10).p_value == 1.0  # all right in both


def test_newcombe_interval_stays_inside_bounds() -> None:
    low, high = newcombe_interval(0, 20, 20, 20)
    assert -1 <= low < high <= 1 and low > 0.6


def test_fisher_exact_small_counts() -> None:
    result = fisher_exact_test(1, 10, 9, 10)
    assert result.p_value == pytest.approx(stats.fisher_exact([[9, 1], [1, 9]])[1])
    assert result.difference == pytest.approx(0.8)


def test_welch_matches_scipy_and_handles_constant_samples() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 0.2, 40), rng.normal(1.2, 0.5, 30)
    ours = welch_ttest(a, b)
    theirs = stats.ttest_ind(b, a, equal_var=False)
    assert ours.p_value == pytest.approx(theirs.pvalue)
    assert ours.ci_low == pytest.approx(theirs.confidence_interval().low)
    fixed = welch_ttest([1.0, 1.0, 1.0], [1.5, 1.5])
    assert fixed.p_value == 0.0 and fixed.difference == 0.5
    assert welch_ttest([1.0, 1.0], [1.0, 1.0]).p_value == 1.0


def test_mann_whitney_superiority() -> None:
    result = mann_whitney_test([1, 2, 3, 4], [5, 6, 7, 8])
    assert result.statistic == 1.0 and result.difference == 4.0
    assert mann_whitney_test([3, 3], [3, 3]).p_value == 1.0


def test_bootstrap_interval_covers_the_difference() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.lognormal(3.0, 0.5, 400), rng.lognormal(3.2, 0.5, 400)
    low, high = bootstrap_difference_ci(a, b, statistic="median", n_boot=1000)
    true = np.exp(3.2) - np.exp(3.0)
    assert low < true < high
    assert bootstrap_difference_ci([1.0], [2.0], n_boot=50) == (1.0, 1.0)


def test_benjamini_hochberg_known_answer() -> None:
    q, rejected = benjamini_hochberg([0.01, 0.04, 0.03, 0.5], alpha=0.05)
    assert q.tolist() == pytest.approx([0.04, 0.0533333, 0.0533333, 0.5])
    assert rejected.tolist() == [1.0, 0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([1.5])


def test_sample_sizes() -> None:
    # 85% vs 80% (the harder direction) needs about 900 per arm (two-sided, 80% power);
    # 15% vs 20% is the same problem mirrored.
    assert 880 < sample_size_two_proportions(0.85, 0.05) < 930
    assert sample_size_two_proportions(0.15, 0.05) == sample_size_two_proportions(0.85, 0.05)
    assert sample_size_two_proportions(0.85, 0.02) > sample_size_two_proportions(0.85, 0.05)
    assert sample_size_means(1.0, 0.5) == 63
    with pytest.raises(ValueError, match="minimum_effect"):
        sample_size_two_proportions(0.5, 0.0)


def variant(name: str, correct: int, answered: int, seed: int, speed: float) -> VariantOutcome:
    rng = np.random.default_rng(seed)
    return VariantOutcome(
        name,
        correct,
        answered,
        seconds=rng.lognormal(speed, 0.5, 600).tolist(),
        cost=rng.normal(1.0, 0.1, 600).tolist(),
    )


def test_better_quality_promotes_b() -> None:
    report = compare_variants(variant("A", 850, 1000, 0, 3.0), variant("B", 910, 1000, 1, 3.0))
    assert report.recommendation == "promote_b"
    quality = report.metrics[0]
    assert quality.metric == "quality" and quality.better == "b"
    assert "better" in report.reasons[0]


def test_worse_quality_keeps_a() -> None:
    report = compare_variants(variant("A", 900, 1000, 0, 3.0), variant("B", 840, 1000, 1, 2.5))
    assert report.recommendation == "keep_a"


def test_too_little_gold_keeps_running() -> None:
    report = compare_variants(variant("A", 85, 100, 0, 3.0), variant("B", 88, 100, 1, 3.0))
    assert report.recommendation == "keep_running"
    assert str(report.required_gold_per_variant) in report.reasons[1]


def test_faster_and_non_inferior_promotes_b() -> None:
    report = compare_variants(variant("A", 4500, 5000, 0, 3.0), variant("B", 4510, 5000, 1, 2.6))
    assert report.recommendation == "promote_b"
    assert {m.metric: m.better for m in report.metrics}["speed"] == "b"


def test_no_difference_with_enough_data_keeps_a() -> None:
    report = compare_variants(variant("A", 4500, 5000, 0, 3.0), variant("B", 4500, 5000, 1, 3.0))
    assert report.recommendation == "keep_a"


def test_experiments_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="gold"):
        compare_variants(VariantOutcome("A", 0, 0), VariantOutcome("B", 1, 1))
    with pytest.raises(ValueError, match="successes"):
        two_proportion_ztest(5, 4, 1, 1)
    with pytest.raises(ValueError, match="at least 2"):
        welch_ttest([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="empty"):
        mann_whitney_test([], [1.0])
