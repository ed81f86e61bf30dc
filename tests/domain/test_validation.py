from __future__ import annotations

import pydantic
import pytest

from assay.domain.template import Template
from assay.domain.validation import details_from_errors, format_loc, json_kind


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        ([], "root"),
        (["questions"], "questions"),
        (["questions", 1, "options"], "questions[1].options"),
        (["q", 0, "end"], "q[0].end"),
        ([0, "x"], "[0].x"),
    ],
)
def test_format_loc(loc: list[str | int], path: str) -> None:
    assert format_loc(loc, "root") == path


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "null"),
        (True, "a boolean"),
        (1, "a number"),
        (1.5, "a number"),
        ("", "a string"),
        ([], "a list"),
        ({}, "an object"),
    ],
)
def test_json_kind(value: object, kind: str) -> None:
    assert json_kind(value) == kind


class ProjectLike(pydantic.BaseModel):
    """A model embedding a template, as the API's project schema does."""

    name: str
    template: Template


def test_union_tags_are_dropped_inside_an_enclosing_model() -> None:
    raw = {
        "name": "p",
        "template": {
            "fields": [{"kind": "text", "name": "label"}],
            "questions": [
                {"type": "label", "name": "q", "prompt": "p", "options": [{"value": "a"}]},
                {
                    "type": "label",
                    "name": "r",
                    "prompt": "p",
                    "options": [{"value": "a", "label": ""}, {"value": "b"}],
                },
            ],
        },
    }
    with pytest.raises(pydantic.ValidationError) as caught:
        ProjectLike.model_validate(raw)
    details = details_from_errors(caught.value.errors())
    assert details == [
        {"loc": ["template", "questions", 0, "options"], "msg": "at least 2 options are required"},
        {"loc": ["template", "questions", 1, "options", 0, "label"], "msg": "must not be empty"},
    ]


def test_cross_check_errors_are_placed_inside_an_enclosing_model() -> None:
    raw = {
        "name": "p",
        "template": {
            "questions": [
                {"type": "spans", "name": "s", "prompt": "p", "source": "x", "labels": ["A"]}
            ]
        },
    }
    with pytest.raises(pydantic.ValidationError) as caught:
        ProjectLike.model_validate(raw)
    assert details_from_errors(caught.value.errors()) == [
        {"loc": ["template", "questions", 0, "source"], "msg": "there is no field named 'x'"}
    ]


def test_unfamiliar_errors_keep_pydantic_wording_in_our_voice() -> None:
    errors = [
        {
            "type": "greater_than",
            "loc": ("n",),
            "msg": "Input should be greater than 0",
            "ctx": {"gt": 0},
        }
    ]
    assert details_from_errors(errors) == [{"loc": ["n"], "msg": "must be greater than 0"}]
