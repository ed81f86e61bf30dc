from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import length_bias, straight_lining, too_fast

# --- too_fast ---------------------------------------------------------------------------------


def test_two_second_votes_on_500_words_are_flagged() -> None:
    signal = too_fast([2.1, 1.8, 3.0, 2.5, 2.2], words_to_read=[500] * 5)
    assert signal.kind == "too_fast"
    assert signal.flagged
    assert signal.score > 0.98
    assert signal.evidence["too_fast_responses"] == 5
    assert signal.evidence["expected_seconds"] == 120.0
    assert signal.evidence["implied_reading_wpm"] > 9000


def test_careful_reader_is_not_flagged() -> None:
    rng = np.random.default_rng(0)
    expected = rng.uniform(30, 90, size=40)
    active = expected * rng.lognormal(0.0, 0.4, size=40)
    active[:2] *= 0.1  # everyone skims an obvious item now and then
    signal = too_fast(active, expected)
    assert not signal.flagged
    assert signal.score < 0.2


def test_few_responses_are_not_enough() -> None:
    assert not too_fast([1.0, 1.0], [60.0, 60.0]).flagged
    assert too_fast([1.0, 1.0, 1.0], [60.0, 60.0, 60.0]).flagged
    assert not too_fast([1.0], [60.0]).flagged


def test_expected_time_is_the_larger_of_estimate_and_reading_time() -> None:
    # 10 s against a 5 s estimate looks fine, but 400 words take 96 s to read.
    signal = too_fast([10.0] * 6, [5.0] * 6, words_to_read=[400] * 6)
    assert signal.flagged
    assert signal.evidence["expected_seconds"] == 96.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"active_seconds": []}, "empty"),
        ({"active_seconds": [1.0, -2.0], "expected_seconds": [3.0, 3.0]}, ">= 0"),
        ({"active_seconds": [1.0]}, "expected_seconds or words_to_read"),
        ({"active_seconds": [1.0, 2.0], "expected_seconds": [3.0]}, "same length"),
        ({"active_seconds": [1.0], "expected_seconds": [0.0]}, "expected time"),
        ({"active_seconds": [1.0], "words_to_read": [10], "reading_wpm": 0}, "reading_wpm"),
    ],
)
def test_too_fast_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        too_fast(**kwargs)  # type: ignore[arg-type]


# --- straight_lining --------------------------------------------------------------------------


def test_same_choice_every_time_is_flagged() -> None:
    signal = straight_lining(["A"] * 20, crowd_choices={"A": 0.5, "B": 0.5})
    assert signal.flagged
    assert signal.evidence["dominant_choice"] == "A"
    assert signal.evidence["dominant_choice_share"] == 1.0
    assert signal.evidence["longest_choice_run"] == 20


def test_skewed_crowd_protects_honest_majority_answers() -> None:
    # 90% of the crowd says "no"; an honest worker saying "no" 18 times of 20 is normal.
    choices = ["no"] * 18 + ["yes"] * 2
    np.random.default_rng(1).shuffle(choices)
    signal = straight_lining(choices, crowd_choices={"no": 900, "yes": 100})
    assert not signal.flagged
    # ...but always answering the rare option is not.
    assert straight_lining(["yes"] * 12, crowd_choices={"no": 900, "yes": 100}).flagged


def test_same_position_is_flagged_even_when_choices_vary() -> None:
    rng = np.random.default_rng(2)
    choices = rng.choice(["A", "B", "C", "D"], size=30).tolist()
    signal = straight_lining(choices, positions=[0] * 30)
    assert signal.flagged
    assert signal.evidence["dominant_position"] == "0"


def test_balanced_worker_is_not_flagged() -> None:
    rng = np.random.default_rng(3)
    choices = rng.choice(["A", "B", "C"], size=60).tolist()
    positions = rng.integers(0, 3, size=60).tolist()
    signal = straight_lining(choices, positions, crowd_choices={"A": 1, "B": 1, "C": 1})
    assert not signal.flagged
    assert signal.score < 0.5


def test_long_autopilot_run_in_long_history_is_flagged() -> None:
    rng = np.random.default_rng(4)
    choices = rng.choice(["A", "B"], size=300).tolist()
    choices[100:130] = ["B"] * 30
    assert straight_lining(choices, crowd_choices={"A": 1, "B": 1}).flagged


def test_straight_lining_edge_cases() -> None:
    assert not straight_lining(["A"]).flagged
    assert not straight_lining(["A"] * 5, crowd_choices={"A": 1, "B": 1}).flagged  # < 8
    with pytest.raises(ValueError, match="empty"):
        straight_lining([])
    with pytest.raises(ValueError, match="same length"):
        straight_lining(["A", "B"], positions=[0])
    with pytest.raises(ValueError, match="crowd shares"):
        straight_lining(["A"], crowd_choices={"A": -1.0})


# --- length_bias ------------------------------------------------------------------------------


def test_always_longer_is_flagged_against_the_crowd_rate() -> None:
    signal = length_bias([True] * 25, crowd_rate=0.6)
    assert signal.flagged
    assert signal.evidence["p_value"] == pytest.approx(0.75**25, rel=1e-3)


def test_worker_at_the_crowd_rate_is_never_flagged() -> None:
    rng = np.random.default_rng(5)
    assert not length_bias(rng.random(2000) < 0.62, crowd_rate=0.6).flagged


def test_length_bias_needs_enough_votes() -> None:
    assert not length_bias([True] * 9, crowd_rate=0.1).flagged
    assert length_bias([True] * 10, crowd_rate=0.1).flagged


def test_length_bias_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        length_bias([], crowd_rate=0.5)
    with pytest.raises(ValueError, match="0/1"):
        length_bias([2], crowd_rate=0.5)
    with pytest.raises(ValueError, match="crowd_rate"):
        length_bias([True], crowd_rate=1.5)
