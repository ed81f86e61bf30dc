from __future__ import annotations

from typing import Any

import pytest

from tests.domain.builders import answer_problem, answer_value, question

ABC = [{"value": "a"}, {"value": "b"}, {"value": "c"}]
SINGLE = question("label", options=ABC)
MULTI = question("label", options=ABC, multiple=True, max_selections=2)


# label


def test_label_single_choice() -> None:
    assert answer_value(SINGLE, "b") == "b"


def test_label_multiple_choice_is_returned_in_option_order() -> None:
    assert answer_value(MULTI, ["c", "a"]) == ["a", "c"]


def test_label_multiple_may_allow_an_empty_choice() -> None:
    optional = question("label", options=ABC, multiple=True, min_selections=0)
    assert answer_value(optional, []) == []


@pytest.mark.parametrize(
    ("spec", "value", "loc", "message"),
    [
        (SINGLE, "d", ["q"], "'d' is not an option; expected one of 'a', 'b', 'c'"),
        (SINGLE, "A", ["q"], "'A' is not an option"),
        (SINGLE, ["a"], ["q"], "must be an option value (a string), not a list"),
        (SINGLE, 1, ["q"], "must be an option value (a string), not a number"),
        (MULTI, "a", ["q"], "must be a list of option values, not a string"),
        (MULTI, ["a", "z"], ["q", 1], "'z' is not an option"),
        (MULTI, ["a", 1], ["q", 1], "1 is not an option"),
        (MULTI, ["a", "a"], ["q", 1], "'a' is chosen twice"),
        (MULTI, [], ["q"], "choose 1 to 2 options, not 0"),
        (MULTI, ["a", "b", "c"], ["q"], "choose 1 to 2 options, not 3"),
    ],
)
def test_label_refusals(spec: dict[str, Any], value: Any, loc: list[Any], message: str) -> None:
    found_loc, found = answer_problem(spec, value)
    assert found_loc == loc
    assert found.startswith(message), found


def test_many_options_are_listed_briefly() -> None:
    spec = question("label", options=[{"value": f"o{i}"} for i in range(40)])
    _, message = answer_problem(spec, "x")
    assert message.endswith("... (40 in all)")


# rating

LIKERT = question("rating")
HALVES = question("rating", min=0, max=1, step=0.1)


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (5, 5), (3.0, 3)])
def test_rating_on_an_integral_scale_returns_ints(value: float, expected: int) -> None:
    found = answer_value(LIKERT, value)
    assert found == expected and isinstance(found, int)


def test_rating_snaps_float_noise_to_the_step() -> None:
    assert answer_value(HALVES, 0.1 * 3) == 0.3
    assert answer_value(HALVES, 0.7) == 0.7


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        (LIKERT, 0, "must be between 1 and 5"),
        (LIKERT, 6, "must be between 1 and 5"),
        (LIKERT, 2.5, "must be a point of the scale: 1 plus a multiple of 1"),
        (HALVES, 0.35, "must be a point of the scale: 0 plus a multiple of 0.1"),
        (LIKERT, "3", "must be a number, not a string"),
        (LIKERT, True, "must be a number, not a boolean"),
        (LIKERT, float("nan"), "must be a finite number"),
        (LIKERT, [3], "must be a number, not a list"),
    ],
)
def test_rating_refusals(spec: dict[str, Any], value: Any, message: str) -> None:
    assert answer_problem(spec, value) == (["q"], message)


# pairwise

SIMPLE = question("pairwise")
STRONG = question(
    "pairwise",
    allow_tie=False,
    strength_levels=3,
    axes=[{"name": "helpful"}, {"name": "safe"}],
    require_reason=True,
)


def test_pairwise_simple_choices() -> None:
    assert answer_value(SIMPLE, {"choice": "tie"}) == {"choice": "tie"}
    assert answer_value(SIMPLE, {"choice": "B", "reason": "  "}) == {"choice": "B"}


def test_pairwise_with_strength_axes_and_reason() -> None:
    value = {
        "choice": "A",
        "strength": 2,
        "axes": {"helpful": {"choice": "A", "strength": 3}, "safe": {"choice": "B", "strength": 1}},
        "reason": "  A answers the question.\n",
    }
    assert answer_value(STRONG, value) == {**value, "reason": "A answers the question."}


def test_pairwise_axis_may_be_a_bare_choice_when_no_strength_is_asked() -> None:
    spec = question("pairwise", axes=[{"name": "helpful"}])
    value = {"choice": "A", "axes": {"helpful": "tie"}}
    assert answer_value(spec, value) == {"choice": "A", "axes": {"helpful": {"choice": "tie"}}}


STRONG_AXES = {"helpful": {"choice": "A", "strength": 1}, "safe": {"choice": "A", "strength": 1}}


@pytest.mark.parametrize(
    ("spec", "value", "loc", "message"),
    [
        (SIMPLE, "A", ["q"], "must be an object {choice, strength?, axes?, reason?}, not a string"),
        (SIMPLE, {}, ["q", "choice"], "must be one of 'A', 'B', 'tie'"),
        (SIMPLE, {"choice": "a"}, ["q", "choice"], "must be one of 'A', 'B', 'tie'"),
        (SIMPLE, {"choice": ["A"]}, ["q", "choice"], "must be one of"),
        (
            SIMPLE,
            {"choice": "A", "strength": 1},
            ["q", "strength"],
            "this question asks no strength",
        ),
        (SIMPLE, {"choice": "A", "axes": {}}, ["q", "axes"], "this question has no axes"),
        (SIMPLE, {"choice": "A", "why": "x"}, ["q", "why"], "unknown key"),
        (SIMPLE, {"choice": "A", "reason": 3}, ["q", "reason"], "must be a string, not a number"),
        (SIMPLE, {"choice": "A", "reason": "x" * 10_001}, ["q", "reason"], "must be at most 10000"),
        (STRONG, {"choice": "tie"}, ["q", "choice"], "must be one of 'A', 'B'"),
        (STRONG, {"choice": "A"}, ["q", "strength"], "must be a whole number from 1 to 3"),
        (
            STRONG,
            {"choice": "A", "strength": 4},
            ["q", "strength"],
            "must be a whole number from 1 to 3",
        ),
        (
            STRONG,
            {"choice": "A", "strength": True},
            ["q", "strength"],
            "must be a whole number from 1 to 3",
        ),
        (
            STRONG,
            {"choice": "A", "strength": 1.5},
            ["q", "strength"],
            "must be a whole number from 1 to 3",
        ),
        (STRONG, {"choice": "A", "strength": 1}, ["q", "axes"], "must be an object {axis: choice}"),
        (
            STRONG,
            {"choice": "A", "strength": 1, "axes": {"helpful": STRONG_AXES["helpful"]}},
            ["q", "axes", "safe"],
            "is required",
        ),
        (
            STRONG,
            {"choice": "A", "strength": 1, "axes": {**STRONG_AXES, "style": "A"}},
            ["q", "axes", "style"],
            "unknown key",
        ),
        (
            STRONG,
            {"choice": "A", "strength": 1, "axes": {**STRONG_AXES, "safe": "B"}},
            ["q", "axes", "safe", "strength"],
            "must be a whole number from 1 to 3",
        ),
        (
            STRONG,
            {"choice": "A", "strength": 1, "axes": {**STRONG_AXES, "safe": 1}},
            ["q", "axes", "safe"],
            "must be an object {choice, strength?}",
        ),
        (
            STRONG,
            {"choice": "A", "strength": 1, "axes": STRONG_AXES, "reason": " \n"},
            ["q", "reason"],
            "a reason is required",
        ),
        (
            question("pairwise", strength_levels=2),
            {"choice": "tie", "strength": 1},
            ["q", "strength"],
            "a tie has no strength",
        ),
    ],
)
def test_pairwise_refusals(spec: dict[str, Any], value: Any, loc: list[Any], message: str) -> None:
    found_loc, found = answer_problem(spec, value)
    assert found_loc == loc
    assert found.startswith(message), found


# ranking

FIXED = question("ranking", items=[{"id": "x"}, {"id": "y"}, {"id": "z"}])
BY_SOURCE = question("ranking", source="many")
WITH_IDS = {
    "many": [{"id": "a", "content": "1"}, {"id": "b", "content": "2"}, {"id": "c", "content": "3"}]
}
WITHOUT_IDS = {"many": [{"content": "1"}, {"content": "2"}, {"content": "3"}]}


def test_ranking_of_fixed_items() -> None:
    assert answer_value(FIXED, ["z", "x", "y"]) == ["z", "x", "y"]


def test_ranking_of_responses_by_id_or_index() -> None:
    assert answer_value(BY_SOURCE, ["c", "a", "b"], WITH_IDS) == ["c", "a", "b"]
    assert answer_value(BY_SOURCE, [2, 0, 1], WITHOUT_IDS) == [2, 0, 1]


def test_ranking_without_payload_checks_only_the_shape() -> None:
    assert answer_value(BY_SOURCE, ["b", "a"]) == ["b", "a"]


@pytest.mark.parametrize(
    ("spec", "value", "payload", "loc", "message"),
    [
        (FIXED, "x", None, ["q"], "must be a list of item ids, best first, not a string"),
        (FIXED, ["x", "y"], None, ["q"], "must rank every item; missing 'z'"),
        (
            FIXED,
            ["x", "y", "w"],
            None,
            ["q", 2],
            "'w' is not an item; expected one of 'x', 'y', 'z'",
        ),
        (FIXED, ["x", "y", "z", "x"], None, ["q", 3], "'x' is ranked twice"),
        (FIXED, ["x", None, "z"], None, ["q", 1], "must be an item id, not null"),
        (BY_SOURCE, ["a"], None, ["q"], "must rank at least 2 items"),
        (BY_SOURCE, [True, False], None, ["q", 0], "must be an item id, not a boolean"),
        (
            BY_SOURCE,
            [0, 1, 2],
            WITH_IDS,
            ["q", 0],
            "0 is not an item; expected one of 'a', 'b', 'c'",
        ),
        (
            BY_SOURCE,
            ["0", "1", "2"],
            WITHOUT_IDS,
            ["q", 0],
            "'0' is not an item; expected one of 0, 1, 2",
        ),
        (BY_SOURCE, [0, 1, 3], WITHOUT_IDS, ["q", 2], "3 is not an item"),
        (
            BY_SOURCE,
            ["a", "b", "c"],
            {"many": "x"},
            ["q"],
            "the task payload has no list of responses under 'many'",
        ),
    ],
)
def test_ranking_refusals(
    spec: dict[str, Any], value: Any, payload: Any, loc: list[Any], message: str
) -> None:
    found_loc, found = answer_problem(spec, value, payload)
    assert found_loc == loc
    assert found.startswith(message), found


# text

SHORT = question("text", min_length=2, max_length=5)


def test_text_is_trimmed() -> None:
    assert answer_value(SHORT, "  abc \n") == "abc"


def test_text_length_counts_characters_not_bytes() -> None:
    assert answer_value(SHORT, "ééééé") == "ééééé"  # 10 bytes in UTF-8
    assert answer_value(SHORT, "🙂🙂🙂🙂🙂") == "🙂🙂🙂🙂🙂"  # 5 code points, 10 UTF-16 units


def test_text_is_nfc_normalised_before_counting() -> None:
    decomposed = "e\u0301" * 5  # five 'é' written as e + combining accent
    assert answer_value(SHORT, decomposed) == "\u00e9" * 5


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a", "must be at least 2 characters, not 1"),
        ("   a   ", "must be at least 2 characters, not 1"),
        ("  \n ", "must not be empty"),
        ("", "must not be empty"),
        ("abcdef", "must be at most 5 characters, not 6"),
        ("a" * 6, "must be at most 5 characters, not 6"),
        (5, "must be a string, not a number"),
        (["ab"], "must be a string, not a list"),
    ],
)
def test_text_refusals(value: Any, message: str) -> None:
    assert answer_problem(SHORT, value) == (["q"], message)


def test_required_text_must_not_be_blank_by_default() -> None:
    assert answer_problem(question("text"), "   ") == (["q"], "must not be empty")
    assert answer_value(question("text", min_length=0), "   ") == ""


# rubric

CRITERIA = [
    {"id": "correct", "description": "Correct.", "points": 4, "must_have": True},
    {"id": "rude", "description": "Rude.", "points": -2},
]
BINARY = question("rubric", criteria=CRITERIA)
POINTS = question("rubric", criteria=CRITERIA, scale="points")


def test_rubric_binary_and_points() -> None:
    assert answer_value(BINARY, {"rude": False, "correct": True}) == {
        "correct": True,
        "rude": False,
    }
    assert answer_value(POINTS, {"correct": 2.5, "rude": -1}) == {"correct": 2.5, "rude": -1}


@pytest.mark.parametrize(
    ("spec", "value", "loc", "message"),
    [
        (BINARY, [True, False], ["q"], "must be an object {criterion_id: grade}, not a list"),
        (BINARY, {"correct": True}, ["q", "rude"], "is required"),
        (BINARY, {"correct": True, "rude": False, "extra": True}, ["q", "extra"], "unknown key"),
        (
            BINARY,
            {"correct": 1, "rude": False},
            ["q", "correct"],
            "must be true or false, not a number",
        ),
        (POINTS, {"correct": True, "rude": 0}, ["q", "correct"], "must be a number, not a boolean"),
        (POINTS, {"correct": 5, "rude": 0}, ["q", "correct"], "must be between 0 and 4"),
        (POINTS, {"correct": -1, "rude": 0}, ["q", "correct"], "must be between 0 and 4"),
        (POINTS, {"correct": 4, "rude": 1}, ["q", "rude"], "must be between -2 and 0"),
    ],
)
def test_rubric_refusals(spec: dict[str, Any], value: Any, loc: list[Any], message: str) -> None:
    assert answer_problem(spec, value) == (loc, message)


# numeric

AGE = question("numeric", min=0, max=130, integer=True)


def test_numeric_values() -> None:
    assert answer_value(question("numeric"), -1e300) == -1e300
    assert answer_problem(question("numeric"), 10**400) == (["q"], "must be a finite number")
    found = answer_value(AGE, 42.0)
    assert found == 42 and isinstance(found, int)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "must be at least 0"),
        (131, "must be at most 130"),
        (10**400, "must be a finite number"),
        (4.5, "must be a whole number"),
        ("4", "must be a number, not a string"),
        (False, "must be a number, not a boolean"),
        (float("inf"), "must be a finite number"),
    ],
)
def test_numeric_refusals(value: Any, message: str) -> None:
    assert answer_problem(AGE, value) == (["q"], message)
