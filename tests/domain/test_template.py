from __future__ import annotations

import pickle

import pytest

from assay.domain import fields, questions
from assay.domain._spec import SpecModel
from assay.domain.demo import DEMO_TEMPLATES
from assay.domain.template import MAX_QUESTIONS, Template, parse_template
from tests.domain.builders import error_locs, question, template_error, template_of

TEXT_Q = question("text")


@pytest.mark.parametrize("name", sorted(DEMO_TEMPLATES))
def test_demo_templates_are_valid(name: str) -> None:
    template = parse_template(DEMO_TEMPLATES[name])
    assert template.questions
    # A dump parses back to an equal template: what the API returns can be sent again.
    assert parse_template(template.model_dump()) == template


def test_demo_templates_cover_every_question_type() -> None:
    types = {q["type"] for raw in DEMO_TEMPLATES.values() for q in raw["questions"]}
    assert types == {
        "label",
        "rating",
        "pairwise",
        "ranking",
        "text",
        "spans",
        "boxes",
        "rubric",
        "numeric",
    }


def test_parse_template_returns_a_template_unchanged() -> None:
    template = template_of(TEXT_Q)
    assert parse_template(template) is template


def test_fields_are_optional_and_questions_are_not() -> None:
    assert parse_template({"questions": [TEXT_Q]}).fields == []
    error = template_error({"fields": []})
    assert error.message == "questions: is required"
    error = template_error({"questions": []})
    assert error.message == "questions: at least 1 question is required"
    error = template_error({"questions": [TEXT_Q] * (MAX_QUESTIONS + 1)})
    assert error.details[0] == {"loc": ["questions"], "msg": "at most 50 questions are allowed"}


@pytest.mark.parametrize("raw", [None, [], "template", 3])
def test_a_template_must_be_an_object(raw: object) -> None:
    error = template_error(raw)
    assert error.message == "template: must be a JSON object"
    assert error.details == [{"loc": [], "msg": "must be a JSON object"}]


def test_unknown_top_level_key_is_refused() -> None:
    error = template_error({"questions": [TEXT_Q], "layout": "grid"})
    assert error.details == [{"loc": ["layout"], "msg": "unknown key"}]


def test_names_are_unique_across_fields_and_questions() -> None:
    error = template_error(
        {"fields": [{"kind": "text", "name": "doc"}], "questions": [question("text", name="doc")]}
    )
    assert error.message == "questions[0].name: name 'doc' is already used"
    error = template_error({"questions": [question("text", name="a"), question("text", name="a")]})
    assert error_locs(error) == [["questions", 1, "name"]]
    fields = [{"kind": "text", "name": "a"}, {"kind": "markdown", "name": "a"}]
    error = template_error({"fields": fields, "questions": [TEXT_Q]})
    assert error_locs(error) == [["fields", 1, "name"]]


def test_two_fields_cannot_read_the_same_payload_key() -> None:
    fields = [{"kind": "text", "name": "a"}, {"kind": "markdown", "name": "b", "source": "a"}]
    error = template_error({"fields": fields, "questions": [TEXT_Q]})
    assert error.message == "fields[1].source: payload key 'a' is read by another field"


def test_a_question_source_must_be_a_required_field() -> None:
    fields = [{"kind": "text", "name": "doc", "required": False}]
    spans = question("spans", source="doc", labels=["PER"])
    error = template_error({"fields": fields, "questions": [spans]})
    assert error.details == [
        {
            "loc": ["questions", 0, "source"],
            "msg": "field 'doc' must be required, since this question works on it",
        }
    ]


@pytest.mark.parametrize("kind", ["text", "markdown", "code"])
def test_spans_work_on_every_text_like_field(kind: str) -> None:
    template = template_of(
        question("spans", source="body", labels=["X"]), fields=[{"kind": kind, "name": "body"}]
    )
    assert template.questions[0].type == "spans"


def test_every_problem_is_listed_and_the_first_is_in_the_message() -> None:
    raw = {
        "fields": [{"kind": "text", "name": "Doc"}],
        "questions": [
            question("label", options=[{"value": "a"}]),
            question("rating", name="r", step=-1),
        ],
    }
    error = template_error(raw)
    assert error_locs(error) == [
        ["fields", 0, "name"],
        ["questions", 0, "options"],
        ["questions", 1, "step"],
    ]
    assert error.message.startswith("fields[0].name: must be a lowercase letter")


def test_error_messages_keep_braces_from_user_values() -> None:
    error = template_error({"questions": [question("label", options=[{"value": "{x}"}] * 2)]})
    assert error.details[0]["msg"] == "option value '{x}' appears more than once"


def test_lookups_by_name() -> None:
    template = template_of(TEXT_Q)
    assert template.fields_by_name["doc"].kind == "text"
    assert template.questions_by_name["q"].type == "text"


def test_derived_values_are_built_once_and_rebuilt_for_a_changed_copy() -> None:
    template = template_of(TEXT_Q)
    built: list[int] = []

    def build(t: Template) -> int:
        built.append(len(t.fields))
        return len(t.fields)

    assert template.derived("count", build) == 4
    assert template.derived("count", build) == 4
    copy = template.model_copy(update={"fields": template.fields[:1]})
    assert copy.derived("count", build) == 1
    assert built == [4, 1]


def test_a_template_pickles_after_use() -> None:
    template = template_of(TEXT_Q)
    template.derived("closure", lambda t: lambda: t)
    assert pickle.loads(pickle.dumps(template)) == template


def test_json_schema_is_clean_for_openapi() -> None:
    schema = Template.model_json_schema()
    fields_items = schema["properties"]["fields"]["items"]
    questions_items = schema["properties"]["questions"]["items"]
    assert fields_items["discriminator"]["propertyName"] == "kind"
    assert set(fields_items["discriminator"]["mapping"]) == {
        "text",
        "markdown",
        "code",
        "chat",
        "image",
        "audio",
        "video",
        "model_responses",
    }
    assert questions_items["discriminator"]["propertyName"] == "type"
    assert len(questions_items["oneOf"]) == 9
    assert schema["examples"]
    for name, definition in schema["$defs"].items():
        assert definition["additionalProperties"] is False, name
        assert definition.get("description"), name
    assert schema["$defs"]["LabelQuestion"]["examples"]
    assert schema["properties"]["questions"]["minItems"] == 1
    # The schema's own examples are valid templates.
    for example in schema["examples"]:
        parse_template(example)


def test_json_schema_examples_of_each_part_are_valid() -> None:
    checked = 0
    for module in (fields, questions):
        for name in dir(module):
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, SpecModel):
                for example in cls.model_json_schema().get("examples", []):
                    cls.model_validate(example)
                    checked += 1
    assert checked >= 17
