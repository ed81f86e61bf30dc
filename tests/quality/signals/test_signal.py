from __future__ import annotations

import json
import math

import numpy as np
import pytest

from assay.quality.errors import QualityInputError
from assay.quality.signals import PairSignal, Signal, surprise_score
from assay.quality.signals.signal import evidence, json_ready, make_signal


def test_surprise_score_scale() -> None:
    assert surprise_score(1.0) == 0.0
    assert surprise_score(1e-3) == pytest.approx(0.5)
    assert surprise_score(1e-6) == 1.0
    assert surprise_score(0.0) == 1.0
    assert surprise_score(1e-2) < surprise_score(1e-4)


def test_json_ready_handles_numpy_and_non_finite() -> None:
    value = json_ready(
        {
            "a": np.float64(1.23456789),
            "b": np.int64(3),
            "c": np.array([1.0, math.nan]),
            "d": (np.bool_(True), None, "x"),
            "e": math.inf,
        }
    )
    assert value == {"a": 1.235, "b": 3, "c": [1.0, None], "d": [True, None, "x"], "e": None}
    json.dumps(value)


def test_make_signal_clips_and_rounds() -> None:
    signal = make_signal("demo", 1.7, True, 0.5, responses=np.int64(4), ratio=0.123456)
    assert signal.score == 1.0
    assert signal.evidence == {"responses": 4, "ratio": 0.1235}
    assert make_signal("demo", -0.2, False, 0.5).score == 0.0


def test_as_dict_is_json_serialisable() -> None:
    signal = Signal("too_fast", 0.97, True, 0.9, evidence(responses=5))
    assert json.loads(json.dumps(signal.as_dict()))["evidence"] == {"responses": 5}
    pair = PairSignal("shared_devices", 1, "w2", 1.0, True, 0.5, {})
    assert pair.as_dict()["worker_a"] == "1"


def test_quality_input_error_is_a_value_error() -> None:
    assert issubclass(QualityInputError, ValueError)
