"""Significance tests for A/B experiments: proportions, times and costs, CIs and sample sizes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, float_vector, probability
from assay.quality.signals._stats import wilson_interval


@dataclass(frozen=True, slots=True)
class TestResult:
    """One test of variant B against variant A.

    Attributes:
        test: The test's name.
        statistic: The test statistic (z, t, U, or the odds ratio for Fisher).
        p_value: Two-sided p-value.
        difference: Effect as B minus A (proportion, mean or median difference).
        ci_low: Lower bound of the difference's confidence interval, if computed.
        ci_high: Upper bound.

    """

    __test__ = False  # not a pytest test class, despite the name

    test: str
    statistic: float
    p_value: float
    difference: float
    ci_low: float | None = None
    ci_high: float | None = None


def _counts(successes: int, total: int, name: str) -> None:
    """Check a success count against its total."""
    if total < 1 or not 0 <= successes <= total:
        raise QualityInputError(f"{name}: need 0 <= successes <= total and total >= 1")


def newcombe_interval(
    successes_a: int, n_a: int, successes_b: int, n_b: int, level: float = 0.95
) -> tuple[float, float]:
    """Return Newcombe's hybrid score interval for ``p_b - p_a`` (from two Wilson intervals).

    Reference: Newcombe, "Interval estimation for the difference between independent
    proportions", Statistics in Medicine 17, 1998 (method 10).
    """
    pa, pb = successes_a / n_a, successes_b / n_b
    la, ua = wilson_interval(successes_a, n_a, level)
    lb, ub = wilson_interval(successes_b, n_b, level)
    diff = pb - pa
    low = diff - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = diff + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    return low, high


def two_proportion_ztest(
    successes_a: int, n_a: int, successes_b: int, n_b: int, *, level: float = 0.95
) -> TestResult:
    """Test whether two rates differ (gold accuracy, acceptance rate) with the pooled z-test.

    The interval is Newcombe's, which behaves near 0 and 1 where the Wald interval fails.
    """
    _counts(successes_a, n_a, "variant A")
    _counts(successes_b, n_b, "variant B")
    pooled = (successes_a + successes_b) / (n_a + n_b)
    diff = successes_b / n_b - successes_a / n_a
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = diff / se if se > 0 else 0.0
    p_value = float(2 * stats.norm.sf(abs(z))) if se > 0 else 1.0
    low, high = newcombe_interval(successes_a, n_a, successes_b, n_b, level)
    return TestResult("two_proportion_z", z, p_value, diff, low, high)


def fisher_exact_test(
    successes_a: int, n_a: int, successes_b: int, n_b: int, *, level: float = 0.95
) -> TestResult:
    """Test whether two rates differ with Fisher's exact test (right for small counts)."""
    _counts(successes_a, n_a, "variant A")
    _counts(successes_b, n_b, "variant B")
    table = [[successes_b, n_b - successes_b], [successes_a, n_a - successes_a]]
    odds, p_value = stats.fisher_exact(table)
    low, high = newcombe_interval(successes_a, n_a, successes_b, n_b, level)
    diff = successes_b / n_b - successes_a / n_a
    return TestResult("fisher_exact", float(odds), float(p_value), diff, low, high)


def _samples(values: ArrayLike, name: str, minimum: int) -> FloatArray:
    """Return a sample as floats, with at least ``minimum`` values."""
    sample = float_vector(values, name)
    if sample.size < minimum:
        raise QualityInputError(f"{name} needs at least {minimum} values", {name: sample.size})
    return sample


def welch_ttest(a: ArrayLike, b: ArrayLike, *, level: float = 0.95) -> TestResult:
    """Test whether two means differ (cost per response) with Welch's unequal-variance t-test.

    Degrees of freedom by Welch-Satterthwaite; computed directly (SciPy warns on constant
    samples, which are common for fixed prices).
    """
    xa, xb = _samples(a, "a", 2), _samples(b, "b", 2)
    probability(level, "level")
    diff = float(xb.mean() - xa.mean())
    va, vb = xa.var(ddof=1) / xa.size, xb.var(ddof=1) / xb.size
    se = math.sqrt(va + vb)
    if se == 0:
        return TestResult("welch_t", 0.0, 1.0 if diff == 0 else 0.0, diff, diff, diff)
    df = (va + vb) ** 2 / (va**2 / (xa.size - 1) + vb**2 / (xb.size - 1))
    t = diff / se
    p_value = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.isf((1 - level) / 2, df)) * se
    return TestResult("welch_t", t, p_value, diff, diff - half, diff + half)


def mann_whitney_test(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Test whether one variant's values tend to be larger (seconds per response; skewed data).

    The statistic reported is B's probability of superiority ``P(B > A) + P(B = A) / 2``
    (0.5 = no difference); the difference is the median of B minus the median of A.
    """
    xa, xb = _samples(a, "a", 1), _samples(b, "b", 1)
    diff = float(np.median(xb) - np.median(xa))
    if np.all(xa == xa[0]) and np.all(xb == xa[0]):
        return TestResult("mann_whitney", 0.5, 1.0, diff)
    result = stats.mannwhitneyu(xb, xa, alternative="two-sided")
    superiority = float(result.statistic) / (xa.size * xb.size)
    return TestResult("mann_whitney", superiority, float(result.pvalue), diff)


def bootstrap_difference_ci(
    a: ArrayLike,
    b: ArrayLike,
    *,
    statistic: Literal["mean", "median"] = "mean",
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Return a percentile-bootstrap interval for ``statistic(B) - statistic(A)``.

    Resamples both variants independently, ``n_boot`` times, vectorised in blocks.
    """
    xa, xb = _samples(a, "a", 1), _samples(b, "b", 1)
    probability(level, "level")
    if n_boot < 10:
        raise QualityInputError("n_boot must be >= 10", {"n_boot": n_boot})
    reduce = np.mean if statistic == "mean" else np.median
    rng = np.random.default_rng(seed)
    diffs = []
    block = max(1, 2_000_000 // max(xa.size, xb.size))
    for start in range(0, n_boot, block):
        size = min(block, n_boot - start)
        ra = reduce(xa[rng.integers(0, xa.size, (size, xa.size))], axis=1)
        rb = reduce(xb[rng.integers(0, xb.size, (size, xb.size))], axis=1)
        diffs.append(rb - ra)
    tail = (1 - level) / 2
    low, high = np.quantile(np.concatenate(diffs), [tail, 1 - tail])
    return float(low), float(high)


def sample_size_two_proportions(
    baseline: float, minimum_effect: float, *, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Return the responses per variant needed to detect a change of ``minimum_effect`` in a rate.

    The usual normal-approximation formula for a two-sided two-proportion test, with the
    effect taken in the harder direction (towards 0.5).
    """
    probability(baseline, "baseline")
    probability(alpha, "alpha")
    probability(power, "power")
    if minimum_effect <= 0:
        raise QualityInputError("minimum_effect must be > 0", {"minimum_effect": minimum_effect})
    other = baseline - minimum_effect if baseline > 0.5 else baseline + minimum_effect
    other = min(max(other, 1e-6), 1 - 1e-6)
    mean = (baseline + other) / 2
    z_alpha, z_power = stats.norm.isf(alpha / 2), stats.norm.ppf(power)
    spread = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_power * math.sqrt(
        baseline * (1 - baseline) + other * (1 - other)
    )
    return math.ceil(float(spread / minimum_effect) ** 2)


def sample_size_means(
    sd: float, minimum_effect: float, *, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Return the observations per variant needed to detect a mean shift of ``minimum_effect``."""
    if sd <= 0 or minimum_effect <= 0:
        raise QualityInputError("sd and minimum_effect must be > 0")
    probability(alpha, "alpha")
    probability(power, "power")
    z = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    return math.ceil(2 * float(z * sd / minimum_effect) ** 2)
