from __future__ import annotations

from typing import Any

import pytest

from assay.domain.fields import CodeField, ModelResponsesField, TextField
from tests.domain.builders import question, template_error, template_of

LABEL_Q = question("label", options=[{"value": "a"}, {"value": "b"}])

ALL_KINDS = ["text", "markdown", "code", "chat", "image", "audio", "video", "model_responses"]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_field_kind_is_accepted(kind: str) -> None:
    template = template_of(LABEL_Q, fields=[{"kind": kind, "name": "shown", "label": "Shown"}])
    field = template.fields[0]
    assert field.kind == kind
    assert field.source == "shown"
    assert field.key == "shown"
    assert field.required is True


def test_source_names_the_payload_key() -> None:
    template = template_of(LABEL_Q, fields=[{"kind": "text", "name": "doc", "source": "body.text"}])
    assert template.fields[0].key == "body.text"


def test_code_field_defaults_and_language() -> None:
    template = template_of(
        LABEL_Q,
        fields=[{"kind": "code", "name": "a"}, {"kind": "code", "name": "b", "language": "c++"}],
    )
    first, second = template.fields
    assert isinstance(first, CodeField) and first.language == "plaintext"
    assert isinstance(second, CodeField) and second.language == "c++"


def test_model_responses_bounds() -> None:
    template = template_of(
        LABEL_Q, fields=[{"kind": "model_responses", "name": "r", "min_responses": 3}]
    )
    field = template.fields[0]
    assert isinstance(field, ModelResponsesField)
    assert (field.min_responses, field.max_responses) == (3, 8)


@pytest.mark.parametrize(
    ("field", "loc", "message"),
    [
        ({"kind": "txt", "name": "a"}, ["fields", 0, "kind"], "unknown kind 'txt'"),
        ({"name": "a"}, ["fields", 0, "kind"], "is required"),
        ({"kind": "text"}, ["fields", 0, "name"], "is required"),
        ({"kind": "text", "name": "Bad-Name"}, ["fields", 0, "name"], "lowercase letter"),
        ({"kind": "text", "name": "9a"}, ["fields", 0, "name"], "lowercase letter"),
        ({"kind": "text", "name": "a" * 65}, ["fields", 0, "name"], "lowercase letter"),
        ({"kind": "text", "name": "a", "colour": 1}, ["fields", 0, "colour"], "unknown key"),
        ({"kind": "text", "name": "a", "label": ""}, ["fields", 0, "label"], "must not be empty"),
        ({"kind": "text", "name": "a", "required": "yes"}, ["fields", 0, "required"], "true or"),
        ({"kind": "code", "name": "a", "language": "Py thon"}, ["fields", 0, "language"], "match"),
        ({"kind": "image", "name": "a", "language": "x"}, ["fields", 0, "language"], "unknown key"),
        (
            {"kind": "model_responses", "name": "a", "min_responses": 1},
            ["fields", 0, "min_responses"],
            "greater than or equal to 2",
        ),
        (
            {"kind": "model_responses", "name": "a", "max_responses": 9},
            ["fields", 0, "max_responses"],
            "less than or equal to 8",
        ),
        (
            {"kind": "model_responses", "name": "a", "min_responses": 5, "max_responses": 3},
            ["fields", 0, "min_responses"],
            "min_responses (5) is above max_responses (3)",
        ),
    ],
)
def test_invalid_fields_name_the_bad_part(
    field: dict[str, Any], loc: list[Any], message: str
) -> None:
    error = template_error({"fields": [field], "questions": [LABEL_Q]})
    assert error.details[0]["loc"] == loc
    assert message in error.details[0]["msg"]
    assert error.message.startswith(f"fields[0].{loc[2]}: ")


def test_field_model_can_be_built_in_python() -> None:
    field = TextField(kind="text", name="doc")
    assert field.key == "doc"
    assert field.model_dump() == {
        "kind": "text",
        "name": "doc",
        "label": None,
        "source": "doc",
        "required": True,
    }
