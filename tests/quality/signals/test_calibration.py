from __future__ import annotations

import json

import numpy as np
import pytest

from assay.quality.signals import (
    IsotonicCalibrator,
    PlattCalibrator,
    TemperatureCalibrator,
    brier_score,
    expected_calibration_error,
    fit_calibrator,
    reliability_table,
)


def overconfident(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    confidence = rng.uniform(0.5, 1.0, size=n)
    truly = 0.5 + (confidence - 0.5) * 0.6  # says 0.9 when it is 0.74
    return confidence, rng.random(n) < truly


def test_reliability_table_known_answer() -> None:
    table = reliability_table([0.95, 0.95, 0.55, 0.55], [1, 0, 1, 1], n_bins=10)
    assert [(b.count, b.accuracy) for b in table.bins] == [(2, 1.0), (2, 0.5)]
    assert table.bins[0].lower == pytest.approx(0.5)
    assert table.ece == pytest.approx((2 * 0.45 + 2 * 0.45) / 4)
    assert table.brier == pytest.approx((0.05**2 + 0.95**2 + 2 * 0.45**2) / 4)
    assert all(b.ci_low <= b.accuracy <= b.ci_high for b in table.bins)
    json.dumps(table.as_dict())


def test_calibrated_confidence_has_small_ece() -> None:
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.5, 1.0, size=5000)
    correct = rng.random(5000) < confidence
    assert expected_calibration_error(confidence, correct) < 0.03
    assert not reliability_table(confidence, correct).signal().flagged


def test_overconfidence_is_flagged_and_fixed_by_each_calibrator() -> None:
    confidence, correct = overconfident(6000, 1)
    table = reliability_table(confidence, correct, strategy="quantile")
    signal = table.signal()
    assert signal.flagged and signal.evidence["worst_bin_accuracy"] < 0.9
    train, test = slice(0, 4000), slice(4000, None)
    for method in ("isotonic", "platt", "temperature"):
        calibrator = fit_calibrator(confidence[train], correct[train], method)  # type: ignore[arg-type]
        fixed = calibrator.predict(confidence[test])
        assert expected_calibration_error(fixed, correct[test]) < 0.04, method
        assert brier_score(fixed, correct[test]) < brier_score(confidence[test], correct[test])


def test_isotonic_is_monotone_pool_adjacent_violators() -> None:
    calibrator = IsotonicCalibrator().fit([0.1, 0.2, 0.3, 0.4], [1, 0, 1, 1])
    assert calibrator.values_.tolist() == [0.5, 0.5, 1.0, 1.0]
    assert calibrator.predict([0.0, 0.15, 1.0]).tolist() == [0.5, 0.5, 1.0]
    rng = np.random.default_rng(2)
    x = rng.random(500)
    fitted = IsotonicCalibrator().fit(x, rng.random(500) < x).predict(np.linspace(0, 1, 50))
    assert np.all(np.diff(fitted) >= 0)


def test_platt_and_temperature_parameters() -> None:
    confidence, correct = overconfident(4000, 3)
    assert TemperatureCalibrator().fit(confidence, correct).temperature_ > 1.5
    platt = PlattCalibrator().fit(confidence, correct)
    assert 0 < platt.slope_ < 1
    # All right: the smoothed targets stop Platt from claiming certainty.
    sure = PlattCalibrator().fit([0.9] * 10, [1] * 10).predict([0.9])
    assert 0.8 < sure[0] < 1.0


def test_single_result_and_all_identical() -> None:
    table = reliability_table([0.7], [1])
    assert len(table.bins) == 1 and table.ece == pytest.approx(0.3)
    assert not table.signal().flagged  # too few results to judge
    same = reliability_table([0.8] * 5, [1, 1, 0, 1, 1], strategy="quantile")
    assert [b.count for b in same.bins] == [5]
    flat = IsotonicCalibrator().fit([0.8] * 5, [1, 1, 0, 1, 1])
    assert flat.predict([0.1, 0.8, 0.99]).tolist() == pytest.approx([0.8, 0.8, 0.8])


def test_calibration_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        reliability_table([], [])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        brier_score([1.2], [1])
    with pytest.raises(ValueError, match="same length"):
        brier_score([0.5, 0.5], [1])
    with pytest.raises(ValueError, match="strategy"):
        reliability_table([0.5], [1], strategy="log")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_bins"):
        reliability_table([0.5], [1], n_bins=0)
    with pytest.raises(ValueError, match="method"):
        fit_calibrator([0.5], [1], "magic")  # type: ignore[arg-type]
