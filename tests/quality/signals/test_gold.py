from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import field_mismatch, gold_leak_score, indistinguishability

REGULAR = np.random.default_rng(0).lognormal(3.4, 0.5, 2000)  # about 30 s per response


def test_healthy_gold_is_not_a_leak() -> None:
    rng = np.random.default_rng(1)
    for _ in range(20):
        seconds = rng.lognormal(3.4, 0.5, 30)
        signal = gold_leak_score(seconds, rng.random(30) < 0.85, REGULAR, expected_accuracy=0.85)
        assert not signal.flagged


def test_leaked_gold_is_fast_and_right() -> None:
    rng = np.random.default_rng(2)
    seconds = np.r_[rng.lognormal(2.0, 0.3, 20), rng.lognormal(3.4, 0.5, 10)]
    correct = np.r_[np.ones(20), rng.random(10) < 0.85]
    signal = gold_leak_score(seconds, correct, REGULAR, expected_accuracy=0.85)
    assert signal.flagged
    assert signal.evidence["fast_and_right"] >= 20
    assert signal.evidence["gold_median_seconds"] < signal.evidence["regular_median_seconds"]


def test_easy_but_slow_gold_is_not_a_leak() -> None:
    rng = np.random.default_rng(3)
    signal = gold_leak_score(rng.lognormal(3.4, 0.5, 40), np.ones(40), REGULAR)
    assert not signal.flagged


def test_gold_leak_needs_enough_responses() -> None:
    assert not gold_leak_score([1.0] * 5, [1] * 5, REGULAR).flagged
    assert gold_leak_score([1.0] * 8, [1] * 8, REGULAR).flagged


def test_gold_leak_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        gold_leak_score([], [], REGULAR)
    with pytest.raises(ValueError, match="same length"):
        gold_leak_score([1.0], [1, 1], REGULAR)
    with pytest.raises(ValueError, match="regular_seconds"):
        gold_leak_score([1.0], [1], [])


def features(rng: np.random.Generator, n: int, chars_mean: float) -> dict[str, np.ndarray]:
    return {
        "active_seconds": rng.lognormal(3.4, 0.5, n),
        "payload_chars": rng.normal(chars_mean, 100, n),
        "position_in_batch": rng.integers(0, 50, n).astype(float),
    }


def test_indistinguishable_gold_passes() -> None:
    rng = np.random.default_rng(4)
    signal = indistinguishability(features(rng, 150, 500), features(rng, 1500, 500))
    assert not signal.flagged
    assert abs(signal.evidence["combined_auc"] - 0.5) < 0.1


def test_gold_with_longer_payloads_is_told_apart() -> None:
    rng = np.random.default_rng(5)
    signal = indistinguishability(features(rng, 150, 580), features(rng, 1500, 500))
    assert signal.flagged
    per_feature = signal.evidence["features"]
    assert per_feature["payload_chars"]["auc"] > 0.65  # type: ignore[index]
    assert per_feature["active_seconds"]["ks_p_value"] > 0.01  # type: ignore[index]


def test_indistinguishability_edge_cases() -> None:
    same = {"x": [1.0, 1.0, 1.0]}
    signal = indistinguishability(same, same)
    assert signal.score == 0.0 and not signal.flagged
    with pytest.raises(ValueError, match="same, non-empty"):
        indistinguishability({"x": [1.0, 2.0]}, {"y": [1.0, 2.0]})
    with pytest.raises(ValueError, match="two gold"):
        indistinguishability({"x": [1.0]}, {"x": [1.0, 2.0]})


def test_field_mismatch() -> None:
    leaky = field_mismatch([{"text", "gold_note"}] * 5, [{"text"}] * 50)
    assert leaky.flagged and leaky.evidence["differing_fields"] == {"gold_note": 1.0}
    assert not field_mismatch([{"text", "image"}] * 5, [{"text", "image"}] * 50).flagged
    with pytest.raises(ValueError, match="at least one"):
        field_mismatch([], [{"text"}])
