from __future__ import annotations

from typing import Any

import pytest

from tests.domain.builders import answer_problem, answer_value, question

SPANS = question("spans", source="doc", labels=["PER", "LOC"])
OVERLAPPING = question("spans", source="doc", labels=["PER", "LOC"], allow_overlap=True)
PAYLOAD = {"doc": "Ada met Charles in London."}  # 26 characters


def span(start: int, end: int, label: str = "PER") -> dict[str, Any]:
    return {"start": start, "end": end, "label": label}


def test_spans_are_returned_sorted() -> None:
    value = [span(19, 25, "LOC"), span(0, 3), span(8, 15)]
    assert answer_value(SPANS, value, PAYLOAD) == [span(0, 3), span(8, 15), span(19, 25, "LOC")]


def test_an_empty_list_of_spans_is_an_answer() -> None:
    assert answer_value(SPANS, [], PAYLOAD) == []


def test_spans_may_touch_and_may_reach_the_end() -> None:
    assert answer_value(SPANS, [span(0, 3), span(3, 26, "LOC")], PAYLOAD) == [
        span(0, 3),
        span(3, 26, "LOC"),
    ]


def test_span_offsets_count_code_points() -> None:
    payload = {"doc": "🙂 Zoë"}  # 5 code points
    assert answer_value(SPANS, [span(2, 5)], payload) == [span(2, 5)]
    assert answer_problem(SPANS, [span(2, 6)], payload) == (
        ["q", 0, "end"],
        "is past the end of the text (5 characters)",
    )


def test_overlaps_only_when_allowed() -> None:
    nested = [span(0, 10), span(4, 7, "LOC")]
    assert answer_value(OVERLAPPING, nested, PAYLOAD) == nested
    assert answer_problem(SPANS, nested, PAYLOAD) == (
        ["q", 1],
        "overlaps another span; this question allows none",
    )
    # A span inside an earlier, longer span overlaps even when the one between does not.
    assert answer_problem(SPANS, [span(0, 20), span(2, 3), span(15, 17)], PAYLOAD)[0] == ["q", 1]


def test_identical_spans_are_refused_even_when_overlap_is_allowed() -> None:
    assert answer_problem(OVERLAPPING, [span(0, 3), span(0, 3)], PAYLOAD) == (
        ["q", 1],
        "repeats an earlier span",
    )
    same_range = [span(0, 3), span(0, 3, "LOC")]
    assert answer_value(OVERLAPPING, same_range, PAYLOAD) == [span(0, 3, "LOC"), span(0, 3)]


def test_too_many_spans_are_refused_before_any_work() -> None:
    value = [span(0, 1)] * 10_001
    assert answer_problem(SPANS, value) == (["q"], "must hold at most 10000 spans, not 10001")


def test_spans_without_payload_skip_only_the_length_check() -> None:
    assert answer_value(SPANS, [span(100, 200)]) == [span(100, 200)]


@pytest.mark.parametrize(
    ("value", "payload", "loc", "message"),
    [
        ("Ada", PAYLOAD, ["q"], "must be a list of {start, end, label} spans, not a string"),
        ([[0, 3, "PER"]], PAYLOAD, ["q", 0], "must be an object {start, end, label}, not a list"),
        ([{"start": 0, "end": 3}], PAYLOAD, ["q", 0, "label"], "is required"),
        ([{**span(0, 3), "text": "Ada"}], PAYLOAD, ["q", 0, "text"], "unknown key"),
        (
            [span(0, 3, "ORG")],
            PAYLOAD,
            ["q", 0, "label"],
            "'ORG' is not a label; expected one of 'PER', 'LOC'",
        ),
        ([span(3, 3)], PAYLOAD, ["q", 0], "needs 0 <= start < end, not start=3, end=3"),
        ([span(5, 2)], PAYLOAD, ["q", 0], "needs 0 <= start < end"),
        ([span(-1, 2)], PAYLOAD, ["q", 0], "needs 0 <= start < end"),
        (
            [{"start": 0.0, "end": 3, "label": "PER"}],
            PAYLOAD,
            ["q", 0, "start"],
            "must be a whole number, not a number",
        ),
        (
            [{"start": 0, "end": True, "label": "PER"}],
            PAYLOAD,
            ["q", 0, "end"],
            "must be a whole number, not a boolean",
        ),
        ([span(20, 27)], PAYLOAD, ["q", 0, "end"], "is past the end of the text (26 characters)"),
        (
            [span(0, 3)],
            {"doc": 5},
            ["q"],
            "the task payload has no text under 'doc' to mark spans on",
        ),
        ([span(0, 3)], {}, ["q"], "the task payload has no text under 'doc'"),
    ],
)
def test_span_refusals(value: Any, payload: Any, loc: list[Any], message: str) -> None:
    found_loc, found = answer_problem(SPANS, value, payload)
    assert found_loc == loc
    assert found.startswith(message), found


BOXES = question("boxes", source="photo", labels=["car", "person"], max_boxes=3)


def box(x: float, y: float, w: float, h: float, label: str = "car") -> dict[str, Any]:
    return {"x": x, "y": y, "w": w, "h": h, "label": label}


def test_boxes_keep_their_order_and_become_floats() -> None:
    value = [box(0.5, 0.25, 0.5, 0.75, "person"), box(0, 0, 1, 1)]
    found = answer_value(BOXES, value)
    assert found == value
    assert [type(found[1][key]) for key in "xywh"] == [float] * 4


def test_no_boxes_is_an_answer_unless_a_minimum_is_set() -> None:
    assert answer_value(BOXES, []) == []
    at_least_one = question("boxes", source="photo", labels=["car"], min_boxes=1)
    assert answer_problem(at_least_one, []) == (["q"], "must hold 1 to 1000 boxes, not 0")


def test_box_edges_tolerate_float_noise() -> None:
    assert (
        answer_value(BOXES, [box(0.7, 0.1, 0.3, 0.9)])[0]["x"] == 0.7
    )  # 0.7 + 0.3 > 1.0 in floats


@pytest.mark.parametrize(
    ("value", "loc", "message"),
    [
        ({"x": 0}, ["q"], "must be a list of {x, y, w, h, label} boxes, not an object"),
        ([box(0, 0, 0.1, 0.1)] * 4, ["q"], "must hold 0 to 3 boxes, not 4"),
        (["car"], ["q", 0], "must be an object {x, y, w, h, label}, not a string"),
        ([{"x": 0, "y": 0, "w": 1, "label": "car"}], ["q", 0, "h"], "is required"),
        ([{**box(0, 0, 1, 1), "z": 0}], ["q", 0, "z"], "unknown key"),
        (
            [box(-0.1, 0, 0.5, 0.5)],
            ["q", 0, "x"],
            "must be between 0 and 1 (a share of the image size)",
        ),
        ([box(0, 1.5, 0.5, 0.5)], ["q", 0, "y"], "must be between 0 and 1"),
        ([box(0, 0, 2, 0.5)], ["q", 0, "w"], "must be between 0 and 1"),
        ([box(0, 0, 0.5, float("nan"))], ["q", 0, "h"], "must be between 0 and 1"),
        ([box(0, 0, "1", 0.5)], ["q", 0, "w"], "must be a number, not a string"),  # type: ignore[arg-type]
        ([box(0, 0, 0, 0.5)], ["q", 0], "must have a width and a height above 0"),
        (
            [box(0.6, 0, 0.5, 0.5)],
            ["q", 0],
            "reaches outside the image (x + w and y + h must be <= 1)",
        ),
        ([box(0, 0.6, 0.5, 0.5)], ["q", 0], "reaches outside the image"),
        (
            [box(0, 0, 0.5, 0.5, "dog")],
            ["q", 0, "label"],
            "'dog' is not a label; expected one of 'car', 'person'",
        ),
    ],
)
def test_box_refusals(value: Any, loc: list[Any], message: str) -> None:
    found_loc, found = answer_problem(BOXES, value)
    assert found_loc == loc
    assert found.startswith(message), found
