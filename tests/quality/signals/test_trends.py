from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from assay.quality.signals import beta_interval, weekly_accuracy, wilson_interval


def test_groups_by_iso_week() -> None:
    times = [
        datetime(2026, 1, 5, 9, 0),  # Monday
        datetime(2026, 1, 11, 23, 0),  # Sunday, same week
        date(2026, 1, 12),  # next Monday
        datetime(2026, 1, 13, tzinfo=UTC).timestamp(),  # epoch seconds
    ]
    points = weekly_accuracy(times, [1, 0, 1, 1])
    assert [(p.period_start, p.answers, p.correct) for p in points] == [
        (date(2026, 1, 5), 2, 1.0),
        (date(2026, 1, 12), 2, 2.0),
    ]
    assert all(p.low <= p.accuracy <= p.high for p in points)


def test_thin_weeks_get_wide_bands() -> None:
    times = [date(2026, 3, 2)] * 3 + [date(2026, 3, 9)] * 300
    points = weekly_accuracy(times, [1, 1, 0] + [1, 0, 1] * 100)
    thin, thick = points
    assert thin.high - thin.low > 3 * (thick.high - thick.low)


def test_gaps_and_methods() -> None:
    times = [date(2026, 1, 5), date(2026, 1, 26)]
    points = weekly_accuracy(times, [1, 1], fill_gaps=True, method="wilson")
    assert [p.answers for p in points] == [1, 0, 0, 1]
    assert (points[1].low, points[1].high) == (0.0, 1.0)
    shrunk = weekly_accuracy([date(2026, 1, 5)], [0], prior=(9.0, 1.0))[0]
    assert shrunk.low > 0.4  # one miss by a worker known to be at 90% is not a collapse


def test_intervals_known_answers() -> None:
    low, high = wilson_interval(8, 10)
    assert (low, high) == pytest.approx((0.4902, 0.9433), abs=1e-3)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = beta_interval(8, 10)
    assert low < 0.8 < high


def test_weekly_accuracy_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        weekly_accuracy([], [])
    with pytest.raises(ValueError, match="one value"):
        weekly_accuracy([date(2026, 1, 5)], [1, 1])
    with pytest.raises(ValueError, match="datetimes"):
        weekly_accuracy(["2026-01-05"], [1])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="method"):
        weekly_accuracy([date(2026, 1, 5)], [1], method="bayes")  # type: ignore[arg-type]
