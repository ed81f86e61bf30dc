"""Small builders shared by the domain tests."""

from __future__ import annotations

from typing import Any

import pytest

from assay.domain.answers import validate_answer
from assay.domain.template import Template, parse_template
from assay.errors import InvalidInput

TEXT_FIELD = {"kind": "text", "name": "doc"}
IMAGE_FIELD = {"kind": "image", "name": "photo"}
PAIR_FIELD = {"kind": "model_responses", "name": "pair", "max_responses": 2}
MANY_FIELD = {"kind": "model_responses", "name": "many"}
ALL_FIELDS = [TEXT_FIELD, IMAGE_FIELD, PAIR_FIELD, MANY_FIELD]


def question(type_: str, name: str = "q", **spec: Any) -> dict[str, Any]:
    """A raw question of the given type with a prompt."""
    return {"type": type_, "name": name, "prompt": "Answer this.", **spec}


def template_of(*questions: dict[str, Any], fields: list[dict[str, Any]] | None = None) -> Template:
    """Parse a template holding the given raw questions (and by default one field of each use)."""
    return parse_template(
        {"fields": ALL_FIELDS if fields is None else fields, "questions": list(questions)}
    )


def template_error(raw: object) -> InvalidInput:
    """The InvalidInput raised when parsing a bad raw template."""
    with pytest.raises(InvalidInput) as caught:
        parse_template(raw)
    return caught.value


def error_locs(error: InvalidInput) -> list[list[str | int]]:
    """The locations listed in an error's details."""
    return [detail["loc"] for detail in error.details]


def answer_value(
    raw_question: dict[str, Any], value: Any, payload: dict[str, Any] | None = None
) -> Any:
    """The normalised value of question ``q`` when answered with ``value``."""
    return validate_answer(template_of(raw_question), {"q": value}, payload)["q"]


def answer_problem(
    raw_question: dict[str, Any], value: Any, payload: dict[str, Any] | None = None
) -> tuple[list[str | int], str]:
    """The first (loc, msg) refusing ``value`` as the answer to question ``q``."""
    with pytest.raises(InvalidInput) as caught:
        validate_answer(template_of(raw_question), {"q": value}, payload)
    detail = caught.value.details[0]
    return detail["loc"], detail["msg"]
