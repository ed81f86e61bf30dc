from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import (
    delivery_decision,
    responses_needed_for_target,
    task_posterior,
    winner_probability,
)


def test_posterior_known_answer() -> None:
    # Two votes for 0, one for 1, all at 0.8 (binary): odds 4 * 4 / 4 = 4 -> 0.8.
    posterior = task_posterior([0, 0, 1], [0.8, 0.8, 0.8], 2)
    assert posterior.tolist() == pytest.approx([0.8, 0.2])
    assert winner_probability(posterior) == (0, pytest.approx(0.8))


def test_posterior_weighs_accurate_workers_more() -> None:
    posterior = task_posterior([0, 1, 1], [0.99, 0.6, 0.6], 3)
    assert winner_probability(posterior)[0] == 0


def test_posterior_with_no_answers_is_the_prior_and_bad_workers_count_as_random() -> None:
    assert task_posterior([], [], 3).tolist() == pytest.approx([1 / 3] * 3)
    assert task_posterior([], [], 2, prior=[3, 1]).tolist() == pytest.approx([0.75, 0.25])
    # A worker below chance is not allowed to flip the result.
    assert task_posterior([1], [0.1], 2).tolist() == pytest.approx([0.5, 0.5])


def test_responses_needed_grows_with_target_and_shrinks_with_accuracy() -> None:
    posterior = task_posterior([0, 0, 1], [0.8] * 3, 2)
    low = responses_needed_for_target(posterior, 0.8, 0.9)
    high = responses_needed_for_target(posterior, 0.8, 0.99)
    sharp = responses_needed_for_target(posterior, 0.95, 0.99)
    assert 0 < low.expected_additional < high.expected_additional
    assert sharp.expected_additional < high.expected_additional
    assert np.all(np.diff(high.reach_by) >= 0)
    assert low.reach_by[0] == 0.0 and low.probability_reached > 0.9
    # One agreeing 0.8 vote takes 0.8 to 0.94: reached after one response 80% of the time.
    assert low.reach_by[1] == pytest.approx(0.8 * 0.8 + 0.2 * 0.2, abs=0.03)


def test_already_confident_needs_nothing() -> None:
    needed = responses_needed_for_target([0.99, 0.01], 0.8, 0.95)
    assert needed.expected_additional == 0.0 and needed.probability_reached == 1.0


def test_delivery_decisions() -> None:
    sure = delivery_decision(task_posterior([1, 1, 1], [0.9] * 3, 2), 0.8, 0.95)
    assert sure.action == "deliver" and sure.winner == 1
    close = delivery_decision(task_posterior([0, 0, 1], [0.8] * 3, 2), 0.8, 0.95)
    assert close.action == "buy_more" and close.responses >= 1
    contested = task_posterior([0, 1, 2, 0, 1], [0.6] * 5, 3)
    stuck = delivery_decision(contested, 0.6, 0.99, budget=3)
    assert stuck.action == "escalate"
    assert "chance" in stuck.reasons[1]


def test_delivery_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="n_classes"):
        task_posterior([0], [0.9], 1)
    with pytest.raises(ValueError, match="same length"):
        task_posterior([0, 1], [0.9], 2)
    with pytest.raises(ValueError, match="class codes"):
        task_posterior([2], [0.9], 2)
    with pytest.raises(ValueError, match="posterior"):
        winner_probability([1.0])
    with pytest.raises(ValueError, match="target"):
        responses_needed_for_target([0.5, 0.5], 0.8, 1.0)
