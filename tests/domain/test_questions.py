from __future__ import annotations

from typing import Any

import pytest

from assay.domain.questions import (
    BoxesQuestion,
    LabelQuestion,
    NumericQuestion,
    PairwiseQuestion,
    RankingQuestion,
    RatingQuestion,
    RubricQuestion,
    SpansQuestion,
    TextQuestion,
)
from tests.domain.builders import question, template_error, template_of

AB = [{"value": "a"}, {"value": "b"}]
CRITERIA = [{"id": "ok", "description": "It is correct.", "points": 2}]

VALID = [
    (question("label", options=AB), LabelQuestion),
    (
        question("label", options=AB, multiple=True, min_selections=0, max_selections=2),
        LabelQuestion,
    ),
    (question("rating"), RatingQuestion),
    (
        question("rating", min=0, max=1, step=0.25, labels=[{"value": 0.5, "label": "Half"}]),
        RatingQuestion,
    ),
    (question("pairwise"), PairwiseQuestion),
    (
        question(
            "pairwise",
            source="pair",
            allow_tie=False,
            strength_levels=3,
            strength_labels=["slightly", "clearly", "much"],
            axes=[{"name": "helpful"}, {"name": "safe", "label": "Safer"}],
            require_reason=True,
        ),
        PairwiseQuestion,
    ),
    (question("ranking", source="many"), RankingQuestion),
    (question("ranking", items=[{"id": "x"}, {"id": "y", "label": "Why"}]), RankingQuestion),
    (question("text"), TextQuestion),
    (question("text", min_length=0, max_length=5, placeholder="..."), TextQuestion),
    (question("spans", source="doc", labels=["PER"], allow_overlap=True), SpansQuestion),
    (question("boxes", source="photo", labels=["car"], min_boxes=1, max_boxes=3), BoxesQuestion),
    (question("rubric", criteria=CRITERIA), RubricQuestion),
    (
        question(
            "rubric",
            criteria=[*CRITERIA, {"id": "bad", "description": "x", "points": -1}],
            scale="points",
        ),
        RubricQuestion,
    ),
    (question("numeric"), NumericQuestion),
    (question("numeric", min=-1.5, max=3, integer=True, unit="kg"), NumericQuestion),
]


@pytest.mark.parametrize(("raw", "cls"), VALID)
def test_every_question_type_is_accepted(raw: dict[str, Any], cls: type) -> None:
    parsed = template_of(raw).questions[0]
    assert isinstance(parsed, cls)
    assert parsed.required is True
    assert parsed.prompt == "Answer this."


def test_label_selection_bounds_default_to_one_and_all() -> None:
    single = template_of(question("label", options=AB)).questions[0]
    multi = template_of(question("label", options=AB, multiple=True)).questions[0]
    assert isinstance(single, LabelQuestion) and single.selection_bounds == (1, 1)
    assert isinstance(multi, LabelQuestion) and multi.selection_bounds == (1, 2)


def test_rating_defaults_are_a_five_point_scale() -> None:
    rating = template_of(question("rating")).questions[0]
    assert isinstance(rating, RatingQuestion)
    assert (rating.min, rating.max, rating.step, rating.integral) == (1, 5, 1, True)


INVALID = [
    # label
    (question("label", options=[{"value": "a"}]), ["options"], "at least 2 options are required"),
    (question("label", options=[]), ["options"], "at least 2 options are required"),
    (
        question("label", options=[{"value": "a"}, {"value": "a"}]),
        ["options", 1, "value"],
        "'a' appears more than once",
    ),
    (
        question("label", options=[{"value": "a", "hotkey": "k"}, {"value": "b", "hotkey": "k"}]),
        ["options", 1, "hotkey"],
        "hotkey 'k'",
    ),
    (
        question("label", options=[{"value": "a", "hotkey": "ab"}, {"value": "b"}]),
        ["options", 0, "hotkey"],
        "one lowercase letter or digit",
    ),
    (
        question("label", options=[{"value": ""}, {"value": "b"}]),
        ["options", 0, "value"],
        "must not be empty",
    ),
    (
        question("label", options=[{"value": 1}, {"value": "b"}]),
        ["options", 0, "value"],
        "must be a string",
    ),
    (question("label", options=AB, min_selections=1), ["multiple"], "need multiple: true"),
    (
        question("label", options=AB, multiple=True, max_selections=3),
        ["max_selections"],
        "above the number of options",
    ),
    (
        question("label", options=AB, multiple=True, min_selections=2, max_selections=1),
        ["min_selections"],
        "above max_selections",
    ),
    # rating
    (question("rating", min=5, max=1), ["max"], "must be above min"),
    (question("rating", min=0, max=1, step=0.3), ["step"], "whole number of steps"),
    (question("rating", step=0), ["step"], "greater than 0"),
    (question("rating", min=0, max=10_000, step=1), ["step"], "more than 1001 points"),
    (question("rating", max="5"), ["max"], "must be a number"),
    (
        question("rating", labels=[{"value": 1.5, "label": "x"}]),
        ["labels", 0, "value"],
        "not a point of the scale",
    ),
    (
        question("rating", labels=[{"value": 9, "label": "x"}]),
        ["labels", 0, "value"],
        "not a point of the scale",
    ),
    (
        question("rating", labels=[{"value": 1, "label": "x"}, {"value": 1.0, "label": "y"}]),
        ["labels", 1, "value"],
        "more than once",
    ),
    # pairwise
    (question("pairwise", strength_levels=1), ["strength_levels"], "0 (not asked) or 2 to 7"),
    (question("pairwise", strength_levels=8), ["strength_levels"], "less than or equal to 7"),
    (
        question("pairwise", strength_levels=2, strength_labels=["a"]),
        ["strength_labels"],
        "1 strength_labels given for 2",
    ),
    (question("pairwise", axes=[]), ["axes"], "at least 1 axis is required"),
    (
        question("pairwise", axes=[{"name": "x"}, {"name": "x"}]),
        ["axes", 1, "name"],
        "axis 'x' appears more than once",
    ),
    (question("pairwise", axes=["helpful"]), ["axes", 0], "must be a JSON object"),
    (question("pairwise", source="many"), ["source"], "max_responses to 2"),
    (
        question("pairwise", source="doc"),
        ["source"],
        "'doc' is a text field; expected a model_responses field",
    ),
    # ranking
    (question("ranking"), ["source"], "exactly one of source or items"),
    (
        question("ranking", source="many", items=[{"id": "a"}, {"id": "b"}]),
        ["source"],
        "exactly one",
    ),
    (question("ranking", items=[{"id": "a"}]), ["items"], "at least 2 items are required"),
    (question("ranking", items=[{"id": "a"}, {"id": "a"}]), ["items", 1, "id"], "item id 'a'"),
    (question("ranking", source="photo"), ["source"], "expected a model_responses field"),
    (question("ranking", source="nothing"), ["source"], "there is no field named 'nothing'"),
    # text
    (question("text", min_length=10, max_length=5), ["min_length"], "above max_length"),
    (question("text", max_length=0), ["max_length"], "greater than or equal to 1"),
    (question("text", min_length=-1), ["min_length"], "greater than or equal to 0"),
    # spans
    (question("spans", source="doc", labels=[]), ["labels"], "at least 1 label is required"),
    (
        question("spans", source="doc", labels=["A", "A"]),
        ["labels", 1],
        "label 'A' appears more than once",
    ),
    (question("spans", labels=["A"]), ["source"], "is required"),
    (
        question("spans", source="photo", labels=["A"]),
        ["source"],
        "expected a text, markdown or code field",
    ),
    # boxes
    (question("boxes", source="doc", labels=["car"]), ["source"], "expected an image field"),
    (
        question("boxes", source="photo", labels=["car"], min_boxes=3, max_boxes=2),
        ["min_boxes"],
        "above max_boxes",
    ),
    # rubric
    (question("rubric", criteria=[]), ["criteria"], "at least 1 criterion is required"),
    (
        question("rubric", criteria=[*CRITERIA, *CRITERIA]),
        ["criteria", 1, "id"],
        "criterion id 'ok'",
    ),
    (
        question(
            "rubric", criteria=[{"id": "x", "description": "d", "points": -1, "must_have": True}]
        ),
        ["criteria", 0, "points"],
        "negative points",
    ),
    (
        question("rubric", criteria=CRITERIA, scale="stars"),
        ["scale"],
        "must be 'binary' or 'points'",
    ),
    (
        question("rubric", criteria=[{"id": "x", "points": 1}]),
        ["criteria", 0, "description"],
        "is required",
    ),
    # numeric
    (question("numeric", min=3, max=1), ["min"], "above max"),
    (question("numeric", max=float("inf")), ["max"], "finite number"),
    # every question
    (question("novel"), ["type"], "unknown type 'novel'"),
    ({"name": "q", "prompt": "p"}, ["type"], "is required"),
    (question("text", prompt=""), ["prompt"], "must not be empty"),
    (question("text", name="Q"), ["name"], "lowercase letter"),
    (question("text", hint="x"), ["hint"], "unknown key"),
]


@pytest.mark.parametrize(("raw", "loc", "message"), INVALID)
def test_invalid_questions_name_the_bad_part(
    raw: dict[str, Any], loc: list[Any], message: str
) -> None:
    fields = [
        {"kind": "text", "name": "doc"},
        {"kind": "image", "name": "photo"},
        {"kind": "model_responses", "name": "pair", "max_responses": 2},
        {"kind": "model_responses", "name": "many"},
    ]
    error = template_error({"fields": fields, "questions": [question("text", name="first"), raw]})
    detail = error.details[0]
    assert detail["loc"] == ["questions", 1, *loc]
    assert message in detail["msg"]
    assert error.message.startswith("questions[1]")
