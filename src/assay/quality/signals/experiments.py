"""A/B experiment report: each variant's quality, speed and cost, tested, with a recommendation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from assay.quality.errors import QualityInputError
from assay.quality.signals._stats import benjamini_hochberg
from assay.quality.signals.experiment_tests import (
    TestResult,
    bootstrap_difference_ci,
    fisher_exact_test,
    mann_whitney_test,
    sample_size_two_proportions,
    two_proportion_ztest,
    welch_ttest,
)

Recommendation = Literal["promote_b", "keep_a", "keep_running"]


@dataclass(frozen=True)
class VariantOutcome:
    """What one variant (guidelines, pay, template, routing) produced during the experiment.

    Attributes:
        name: The variant's name.
        gold_correct: Gold answers that were right.
        gold_answered: Gold answers given.
        seconds: Active seconds per response.
        cost: Cost per response (any currency, the same for both variants).

    """

    name: str
    gold_correct: int
    gold_answered: int
    seconds: Sequence[float] = field(default_factory=list)
    cost: Sequence[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of gold answers that were right."""
        return self.gold_correct / self.gold_answered if self.gold_answered else 0.0


@dataclass(frozen=True)
class MetricComparison:
    """One metric of the experiment, tested.

    Attributes:
        metric: ``"quality"`` (gold accuracy), ``"speed"`` (median seconds) or ``"cost"``
            (mean cost per response).
        value_a: Variant A's value.
        value_b: Variant B's value.
        test: The test of B against A.
        q_value: Benjamini-Hochberg adjusted p-value across the metrics.
        better: Which variant is significantly better on this metric, if either.

    """

    metric: str
    value_a: float
    value_b: float
    test: TestResult
    q_value: float
    better: Literal["a", "b"] | None


@dataclass(frozen=True)
class ExperimentReport:
    """The experiment's metrics and what to do next.

    Attributes:
        variant_a: Name of the current variant.
        variant_b: Name of the challenger.
        metrics: Quality, speed and cost comparisons (those with data).
        recommendation: ``"promote_b"``, ``"keep_a"`` or ``"keep_running"``.
        reasons: Plain-language reasons for the recommendation.
        required_gold_per_variant: Gold answers per variant needed to see ``minimum_effect``.

    """

    variant_a: str
    variant_b: str
    metrics: list[MetricComparison]
    recommendation: Recommendation
    reasons: list[str]
    required_gold_per_variant: int


def compare_variants(
    a: VariantOutcome,
    b: VariantOutcome,
    *,
    alpha: float = 0.05,
    minimum_effect: float = 0.05,
    power: float = 0.8,
    non_inferiority: float = 0.02,
    seed: int = 0,
) -> ExperimentReport:
    """Compare variant B with the current variant A and recommend what to do.

    Quality is gold accuracy (Fisher's exact test when an expected cell is under 5, else the
    two-proportion z-test), speed is seconds per response (Mann-Whitney, with a bootstrap CI
    of the median difference), cost is cost per response (Welch's t-test). The p-values are
    adjusted together with Benjamini-Hochberg. Then, quality first:

    * B significantly less accurate: keep A;
    * B significantly more accurate: promote B;
    * neither, and fewer gold answers than a power calculation needs to see
      ``minimum_effect``: keep running;
    * neither, with enough data: promote B only if it is non-inferior (CI of the accuracy
      difference above ``-non_inferiority``) and significantly faster or cheaper; else keep A.

    Args:
        a: The current variant.
        b: The challenger.
        alpha: False discovery rate across the metrics.
        minimum_effect: Smallest accuracy change worth detecting.
        power: Power of the sample-size calculation.
        non_inferiority: Largest accuracy loss accepted for a faster or cheaper variant.
        seed: Seed of the bootstrap.

    Returns:
        The report with its reasons.

    """
    if a.gold_answered < 1 or b.gold_answered < 1:
        raise QualityInputError("each variant needs at least one gold answer")
    metrics = _metrics(a, b, alpha, seed)
    baseline = min(max(a.accuracy, 0.01), 0.99)
    required = sample_size_two_proportions(baseline, minimum_effect, alpha=alpha, power=power)
    action, reasons = _recommend(a, b, metrics, required, non_inferiority)
    return ExperimentReport(a.name, b.name, metrics, action, reasons, required)


def _metrics(
    a: VariantOutcome, b: VariantOutcome, alpha: float, seed: int
) -> list[MetricComparison]:
    """Test quality, speed and cost (those with data), with BH-adjusted p-values."""
    rows: list[tuple[str, float, float, TestResult, bool]] = []
    rows.append(("quality", a.accuracy, b.accuracy, _quality_test(a, b), True))
    if len(a.seconds) and len(b.seconds):
        speed = mann_whitney_test(a.seconds, b.seconds)
        low, high = bootstrap_difference_ci(a.seconds, b.seconds, statistic="median", seed=seed)
        speed = TestResult(speed.test, speed.statistic, speed.p_value, speed.difference, low, high)
        rows.append(
            ("speed", float(np.median(a.seconds)), float(np.median(b.seconds)), speed, False)
        )
    if len(a.cost) >= 2 and len(b.cost) >= 2:
        cost = welch_ttest(a.cost, b.cost)
        rows.append(("cost", float(np.mean(a.cost)), float(np.mean(b.cost)), cost, False))
    q_values, _ = benjamini_hochberg([row[3].p_value for row in rows], alpha)
    out = []
    for (metric, value_a, value_b, test, higher_is_better), q in zip(rows, q_values, strict=True):
        better: Literal["a", "b"] | None = None
        if q <= alpha and test.difference != 0:
            b_higher = test.difference > 0
            better = "b" if b_higher == higher_is_better else "a"
        out.append(MetricComparison(metric, value_a, value_b, test, float(q), better))
    return out


def _quality_test(a: VariantOutcome, b: VariantOutcome) -> TestResult:
    """Choose Fisher's exact test for small expected counts, else the z-test."""
    total = a.gold_answered + b.gold_answered
    right = a.gold_correct + b.gold_correct
    smallest = min(right, total - right) * min(a.gold_answered, b.gold_answered) / total
    test = fisher_exact_test if smallest < 5 else two_proportion_ztest
    return test(a.gold_correct, a.gold_answered, b.gold_correct, b.gold_answered)


def _recommend(
    a: VariantOutcome,
    b: VariantOutcome,
    metrics: list[MetricComparison],
    required: int,
    non_inferiority: float,
) -> tuple[Recommendation, list[str]]:
    """Apply the decision rules of :func:`compare_variants`."""
    quality = metrics[0]
    said = f"gold accuracy {b.name} {b.accuracy:.3f} vs {a.name} {a.accuracy:.3f}"
    if quality.better == "a":
        return "keep_a", [f"{said}: {b.name} is worse (q = {quality.q_value:.3g})"]
    if quality.better == "b":
        return "promote_b", [f"{said}: {b.name} is better (q = {quality.q_value:.3g})"]
    smaller = min(a.gold_answered, b.gold_answered)
    if smaller < required:
        return "keep_running", [
            f"{said}: no significant difference yet (q = {quality.q_value:.3g})",
            f"need {required} gold answers per variant to see the minimum effect, have {smaller}",
        ]
    gains = [m for m in metrics[1:] if m.better == "b"]
    low = quality.test.ci_low if quality.test.ci_low is not None else -1.0
    if low >= -non_inferiority and gains:
        names = ", ".join(m.metric for m in gains)
        return "promote_b", [
            f"{said}: not worse by more than {non_inferiority} (CI low {low:.3f})",
            f"{b.name} is significantly better on {names}",
        ]
    reason = "no metric where it is significantly better" if not gains else "quality may be worse"
    return "keep_a", [f"{said}: no significant difference", f"{b.name}: {reason}"]
