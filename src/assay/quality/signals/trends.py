"""Worker quality over time for dashboards: weekly gold accuracy with uncertainty bands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import float_vector, non_empty
from assay.quality.signals._stats import beta_interval, wilson_interval


@dataclass(frozen=True, slots=True)
class AccuracyPoint:
    """One period's gold accuracy with its band.

    Attributes:
        period_start: First day of the period (a Monday for weeks).
        answers: Gold answers in the period.
        correct: Right answers (fractional with partial credit).
        accuracy: ``correct / answers``.
        low: Lower edge of the band.
        high: Upper edge of the band.

    """

    period_start: date
    answers: int
    correct: float
    accuracy: float
    low: float
    high: float


def _day(moment: datetime | date | float) -> date:
    """Return the calendar day of a datetime, a date, or epoch seconds (UTC)."""
    if isinstance(moment, datetime):
        return moment.date()
    if isinstance(moment, date):
        return moment
    if isinstance(moment, int | float) and not isinstance(moment, bool):
        return datetime.fromtimestamp(float(moment), tz=UTC).date()
    raise QualityInputError("times must be datetimes, dates or epoch seconds")


def weekly_accuracy(
    times: Sequence[datetime | date | float],
    correct: ArrayLike,
    *,
    method: Literal["beta", "wilson"] = "beta",
    level: float = 0.95,
    prior: tuple[float, float] = (0.5, 0.5),
    fill_gaps: bool = False,
) -> list[AccuracyPoint]:
    """Group gold answers by ISO week (Monday start) and give each week's accuracy and band.

    ``"beta"`` is an equal-tailed credible interval under a Beta ``prior`` (Jeffreys by
    default; pass the worker's or crowd's accuracy as a prior, e.g. ``(8.5, 1.5)``, to shrink
    thin weeks towards it); ``"wilson"`` is the Wilson score interval. A week with three gold
    answers gets a wide band, which is the point: a dashboard should not paint it red.

    Args:
        times: When each gold answer was given (datetimes, dates, or epoch seconds in UTC).
        correct: Whether each was right (or partial credit in [0, 1]).
        method: ``"beta"`` or ``"wilson"``.
        level: Coverage of the band.
        prior: Beta prior for ``"beta"``.
        fill_gaps: Also return weeks without answers (their band is the prior's, or [0, 1]).

    Returns:
        One point per week, oldest first.

    """
    non_empty(times, "times")
    right = float_vector(correct, "correct", minimum=0.0)
    if right.size != len(times) or np.any(right > 1):
        raise QualityInputError("correct needs one value in [0, 1] per time")
    if method not in ("beta", "wilson"):
        raise QualityInputError("method must be 'beta' or 'wilson'", {"method": method})
    weeks = [_day(moment) - timedelta(days=_day(moment).weekday()) for moment in times]
    totals: dict[date, list[float]] = {}
    for week, value in zip(weeks, right.tolist(), strict=True):
        totals.setdefault(week, []).append(value)
    starts = sorted(totals)
    if fill_gaps:
        span = (starts[-1] - starts[0]).days // 7
        starts = [starts[0] + timedelta(weeks=i) for i in range(span + 1)]
    points = []
    for start in starts:
        values = totals.get(start, [])
        hits, n = float(sum(values)), len(values)
        if method == "beta":
            low, high = beta_interval(hits, n, level, prior)
        else:
            low, high = wilson_interval(hits, n, level)
        points.append(AccuracyPoint(start, n, hits, hits / n if n else 0.0, low, high))
    return points
