from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import shared_errors

K = 4


def _confusion(accuracy: float) -> np.ndarray:
    return np.full((K, K), (1 - accuracy) / (K - 1)) + np.eye(K) * (accuracy - (1 - accuracy) / 3)


def _answer(rng: np.random.Generator, truth: np.ndarray, accuracy: float) -> np.ndarray:
    wrong = (truth + rng.integers(1, K, size=truth.size)) % K
    return np.where(rng.random(truth.size) < accuracy, truth, wrong)


def _posteriors(answer: np.ndarray, confidence: float) -> np.ndarray:
    """Truth inference that believes ``answer`` with ``confidence``."""
    q = np.full((answer.size, K), (1 - confidence) / (K - 1))
    q[np.arange(answer.size), answer] = confidence
    return q


def test_two_experts_right_together_share_no_errors() -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(0, K, size=150)
    a, b = _answer(rng, truth, 0.93), _answer(rng, truth, 0.93)
    result = shared_errors(a, b, _posteriors(truth, 0.95), _confusion(0.93), _confusion(0.93))
    assert not result.flagged and result.tasks == 150
    # Independent experts share a mistake about once in 150 tasks; what the null expects is
    # mostly the chance that truth inference is wrong where they are both right.
    assert result.shared_errors <= 2 and result.expected > result.shared_errors


def test_a_copier_repeats_the_source_s_mistakes() -> None:
    rng = np.random.default_rng(2)
    truth = rng.integers(0, K, size=80)
    source = _answer(rng, truth, 0.7)
    copier = np.where(rng.random(80) < 0.95, source, _answer(rng, truth, 0.7))
    result = shared_errors(
        source, copier, _posteriors(truth, 0.9), _confusion(0.7), _confusion(0.7)
    )
    assert result.flagged and result.p_value < 1e-4
    assert result.shared_errors >= 3 * result.expected


def test_independent_careless_workers_are_not_flagged() -> None:
    rng = np.random.default_rng(3)
    flags = []
    for _ in range(50):
        truth = rng.integers(0, K, size=60)
        a, b = _answer(rng, truth, 0.6), _answer(rng, truth, 0.6)
        flags.append(
            shared_errors(a, b, _posteriors(truth, 0.9), _confusion(0.6), _confusion(0.6)).flagged
        )
    assert np.mean(flags) <= 0.04


def test_known_rate_for_one_task() -> None:
    # Truth certain to be 0; both 70% right, errors spread evenly: same wrong answer 3 * 0.1^2.
    result = shared_errors([1], [1], [[1.0, 0.0, 0.0, 0.0]], _confusion(0.7), _confusion(0.7))
    assert result.expected == pytest.approx(0.03)
    assert result.shared_errors == 1 and result.p_value == pytest.approx(0.03)
    none = shared_errors([], [], np.zeros((0, K)), _confusion(0.7), _confusion(0.7))
    assert none.tasks == 0 and none.p_value == 1.0 and not none.flagged


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="one answer per shared task"):
        shared_errors([0, 1], [0], np.ones((2, K)) / K, _confusion(0.7), _confusion(0.7))
    with pytest.raises(ValueError, match=r"\(K, K\)"):
        shared_errors([0], [0], np.ones((1, K)) / K, np.eye(3), _confusion(0.7))
    with pytest.raises(ValueError, match=r"\[0, K\)"):
        shared_errors([4], [0], np.ones((1, K)) / K, _confusion(0.7), _confusion(0.7))
