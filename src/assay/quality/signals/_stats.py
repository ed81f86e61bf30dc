"""Small statistics the detectors share: Beta posteriors, binomial tails, intervals, FDR."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, float_vector, probability


def share_exceeds(
    hits: int, total: int, tolerated: float, prior: tuple[float, float] = (1.0, 3.0)
) -> float:
    """Posterior probability that a worker's true share of bad responses exceeds ``tolerated``.

    The share has a Beta ``prior`` (default Beta(1, 3): mean 0.25, worth four responses) and
    ``hits`` bad responses out of ``total`` are observed. With few responses the posterior stays
    wide, so the probability stays low: this is what keeps precision high for new workers.
    """
    a, b = prior
    return float(stats.beta.sf(tolerated, a + hits, b + total - hits))


def binomial_upper_p(hits: int, total: int, rate: float) -> float:
    """One-sided binomial p-value ``P(X >= hits)`` for ``X ~ Binomial(total, rate)``."""
    if hits <= 0:
        return 1.0
    return float(stats.binom.sf(hits - 1, total, rate))


def poisson_binomial_upper_p(hits: int, rates: FloatArray) -> float:
    """``P(X >= hits)`` where ``X`` is a sum of independent Bernoullis with ``rates``."""
    if hits <= 0:
        return 1.0
    if hits > rates.size:
        return 0.0
    clipped = np.clip(rates, 0.0, 1.0)
    return float(min(max(stats.poisson_binom.sf(hits - 1, clipped), 0.0), 1.0))


def wilson_interval(successes: float, total: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; ``(0, 1)`` when ``total`` is 0.

    Args:
        successes: Number of successes (may be fractional for partial credit).
        total: Number of trials.
        level: Coverage, e.g. 0.95.

    """
    probability(level, "level")
    if total <= 0:
        return 0.0, 1.0
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def beta_interval(
    successes: float,
    total: float,
    level: float = 0.95,
    prior: tuple[float, float] = (0.5, 0.5),
) -> tuple[float, float]:
    """Equal-tailed Beta credible interval (Jeffreys prior by default) for a proportion.

    As Brown, Cai & DasGupta recommend for the Jeffreys interval, its bound is 1 when every
    trial succeeded and 0 when none did, so it always contains the observed rate (an
    informative prior keeps its own bounds: it is meant to pull thin data towards it).
    """
    probability(level, "level")
    a = prior[0] + successes
    b = prior[1] + total - successes
    tail = (1 - level) / 2
    low, high = float(stats.beta.ppf(tail, a, b)), float(stats.beta.isf(tail, a, b))
    if prior == (0.5, 0.5) and total > 0:
        high = 1.0 if successes >= total else high
        low = 0.0 if successes <= 0 else low
    return low, high


def benjamini_hochberg(p_values: ArrayLike, alpha: float = 0.05) -> tuple[FloatArray, FloatArray]:
    """Benjamini-Hochberg step-up: adjusted p-values (q-values) and which are rejected.

    Args:
        p_values: One p-value per hypothesis (e.g. one per metric of an experiment).
        alpha: False discovery rate to control.

    Returns:
        ``(q_values, rejected)`` with ``rejected`` as a 0/1 float array aligned with the input.

    Reference: Benjamini & Hochberg, "Controlling the False Discovery Rate", JRSS B, 1995.

    """
    p = float_vector(p_values, "p_values", minimum=0.0)
    if np.any(p > 1):
        raise QualityInputError("p_values must be in [0, 1]", {"argument": "p_values"})
    m = p.size
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    monotone = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(monotone, 1.0)
    return q, (q <= alpha).astype(np.float64)


def entropy_bits(shares: FloatArray) -> float:
    """Shannon entropy in bits of a discrete distribution (zeros ignored)."""
    positive = shares[shares > 0]
    return float(-(positive * np.log2(positive)).sum()) + 0.0
