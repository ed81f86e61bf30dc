from __future__ import annotations

import math

import numpy as np
import pytest

from assay.quality.signals import (
    bernoulli_cusum,
    bernoulli_cusum_batch,
    cusum_average_run_length,
    cusum_threshold,
    sprt_accuracy,
    sprt_accuracy_batch,
)


def test_cusum_matches_the_recursion() -> None:
    events = np.random.default_rng(0).random(300) < 0.15
    result = bernoulli_cusum(events, 0.1, 0.3, threshold=4.0)
    up, down = math.log(3.0), math.log(0.7 / 0.9)
    statistic, path = 0.0, []
    for event in events:
        statistic = max(0.0, statistic + (up if event else down))
        path.append(statistic)
    assert np.allclose(result.path, path)
    alarm = next((i for i, s in enumerate(path) if s >= 4.0), None)
    assert result.alarm_index == alarm


def test_cusum_known_answer() -> None:
    # Three errors in a row: 3 * log(3) = 3.30 < 3.5; the fourth makes 4.39 >= 3.5.
    result = bernoulli_cusum([1, 1, 1, 1, 0], 0.1, 0.3, threshold=3.5)
    assert result.alarm_index == 3
    assert result.path[-1] == pytest.approx(4 * math.log(3) + math.log(0.7 / 0.9))
    signal = result.signal("gold_accuracy_alarm")
    assert signal.flagged and signal.score == 1.0
    assert signal.evidence["alarm_index"] == 3
    assert not bernoulli_cusum([0] * 50, 0.1, 0.3, threshold=3.5).alarmed


def test_threshold_from_in_control_run_length_matches_simulation() -> None:
    h = cusum_threshold(0.1, 0.3, in_control_arl=200)
    assert cusum_average_run_length(0.1, 0.1, 0.3, h) >= 200
    rng = np.random.default_rng(1)
    streams = [rng.random(3000) < 0.1 for _ in range(300)]
    alarms = [r.alarm_index for r in bernoulli_cusum_batch(streams, 0.1, 0.3, threshold=h)]
    simulated = np.mean([a + 1 for a in alarms if a is not None])
    predicted = cusum_average_run_length(0.1, 0.1, 0.3, h)
    assert simulated == pytest.approx(predicted, rel=0.2)
    # Out of control, the chart reacts within a few dozen observations.
    assert cusum_average_run_length(0.3, 0.1, 0.3, h) < 25


def test_batch_handles_streams_of_different_lengths() -> None:
    results = bernoulli_cusum_batch([[1, 1, 1, 1], [0, 0], [1]], 0.1, 0.3, threshold=3.5)
    assert [r.path.size for r in results] == [4, 2, 1]
    assert [r.alarm_index for r in results] == [3, None, None]


def test_default_threshold_is_derived() -> None:
    result = bernoulli_cusum([0, 1], 0.1, 0.3)
    assert result.threshold == cusum_threshold(0.1, 0.3, 500.0)
    assert 3.0 < result.threshold < 4.5


def test_cusum_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        bernoulli_cusum([], 0.1, 0.3)
    with pytest.raises(ValueError, match="empty"):
        bernoulli_cusum_batch([], 0.1, 0.3)
    with pytest.raises(ValueError, match="differ"):
        bernoulli_cusum([1], 0.2, 0.2)
    with pytest.raises(ValueError, match="p1"):
        bernoulli_cusum([1], 0.2, 1.0)
    with pytest.raises(ValueError, match="threshold"):
        bernoulli_cusum([1], 0.1, 0.3, threshold=0.0)
    with pytest.raises(ValueError, match="0/1"):
        bernoulli_cusum([2], 0.1, 0.3)


def test_sprt_accepts_good_and_rejects_bad_workers() -> None:
    rng = np.random.default_rng(2)
    good = sprt_accuracy_batch([rng.random(300) < 0.92 for _ in range(200)])
    bad = sprt_accuracy_batch([rng.random(300) < 0.65 for _ in range(200)])
    assert np.mean([r.decision == "accept" for r in good]) >= 0.95
    assert np.mean([r.decision == "reject" for r in bad]) >= 0.95
    assert np.median([r.decided_at for r in good if r.decided_at is not None]) < 40


def test_sprt_known_answer_and_continue() -> None:
    result = sprt_accuracy([0, 0, 0])
    # Each wrong answer adds log(0.3 / 0.1): three make 3.30 >= log(0.95 / 0.05) = 2.94.
    assert result.decision == "reject" and result.decided_at == 2
    assert result.upper == pytest.approx(math.log(19))
    undecided = sprt_accuracy([1, 0])
    assert undecided.decision == "continue" and undecided.decided_at is None
    with pytest.raises(ValueError, match="below"):
        sprt_accuracy([1], good_accuracy=0.7, bad_accuracy=0.9)
    with pytest.raises(ValueError, match="empty"):
        sprt_accuracy([])
