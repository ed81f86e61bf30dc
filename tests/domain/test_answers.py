from __future__ import annotations

from typing import Any

import pytest

from assay.domain.answers import answer_key, rubric_score, validate_answer, validate_gold
from assay.domain.demo import DEMO_ANSWERS, DEMO_PAYLOADS, DEMO_TEMPLATES
from assay.domain.questions import RubricQuestion
from assay.domain.template import Template, parse_template
from assay.errors import InvalidInput
from tests.domain.builders import question, template_of

AB = [{"value": "a"}, {"value": "b"}]


@pytest.fixture(scope="module")
def survey() -> Template:
    return template_of(
        question("label", "topic", options=AB),
        question("text", "note", required=False),
        question("spans", "names", source="doc", labels=["PER"]),
    )


def refusal(template: Template, answer: object, payload: Any = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        validate_answer(template, answer, payload)
    return caught.value


@pytest.mark.parametrize("name", sorted(DEMO_TEMPLATES))
def test_demo_answers_are_valid_and_stable(name: str) -> None:
    template = parse_template(DEMO_TEMPLATES[name])
    normal = validate_answer(template, DEMO_ANSWERS[name], DEMO_PAYLOADS[name])
    assert set(normal) == set(DEMO_ANSWERS[name])
    # The normal form is itself a valid answer with the same normal form.
    assert validate_answer(template, normal, DEMO_PAYLOADS[name]) == normal


def test_optional_questions_may_be_left_out_or_null(survey: Template) -> None:
    answer = {"topic": "a", "names": [], "note": None}
    assert validate_answer(survey, answer) == {"topic": "a", "names": []}


def test_required_questions_must_be_answered(survey: Template) -> None:
    error = refusal(survey, {"names": []})
    assert error.message == "topic: an answer is required"
    error = refusal(survey, {"topic": None, "names": []})
    assert error.details == [{"loc": ["topic"], "msg": "an answer is required"}]


def test_unknown_questions_are_refused(survey: Template) -> None:
    error = refusal(survey, {"topic": "a", "names": [], "Topic": "a"})
    assert error.message == "Topic: unknown question"


@pytest.mark.parametrize("answer", [None, [], "a", 1])
def test_an_answer_must_be_an_object(survey: Template, answer: object) -> None:
    error = refusal(survey, answer)
    assert error.message == "answer: must be a JSON object {question_name: value}"
    assert error.details == [{"loc": [], "msg": "must be a JSON object {question_name: value}"}]


def test_every_problem_is_listed_with_the_question_first_in_its_loc(survey: Template) -> None:
    answer = {"topic": "c", "note": 3, "names": [{"start": 0, "end": 50, "label": "PER"}], "x": 1}
    error = refusal(survey, answer, {"doc": "short"})
    assert [d["loc"] for d in error.details] == [
        ["x"],
        ["topic"],
        ["note"],
        ["names", 0, "end"],
    ]
    assert error.message == "x: unknown question"


def test_gold_may_cover_some_questions(survey: Template) -> None:
    assert validate_gold(survey, {"topic": "b"}) == {"topic": "b"}
    payload = {"doc": "Ada"}
    spans = [{"start": 0, "end": 3, "label": "PER"}]
    assert validate_gold(survey, {"names": spans}, payload) == {"names": spans}


@pytest.mark.parametrize(
    ("gold", "message"),
    [
        ({}, "gold answer: a gold answer must answer at least one question"),
        ({"topic": None}, "gold answer: a gold answer must answer at least one question"),
        ({"topic": "z"}, "topic: 'z' is not an option; expected one of 'a', 'b'"),
        ({"other": "a"}, "other: unknown question"),
        ([], "gold answer: must be a JSON object {question_name: value}"),
    ],
)
def test_gold_refusals(survey: Template, gold: object, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_gold(survey, gold)
    assert caught.value.message == message


KEYS = [
    (question("label", options=AB), "b", "b"),
    (question("label", options=AB, multiple=True), ["b", "a"], '["a","b"]'),
    (question("label", options=[{"value": "é"}, {"value": "ü"}], multiple=True), ["ü"], '["ü"]'),
    (question("rating"), 4, 4.0),
    (question("numeric"), -2, -2.0),
    (question("pairwise", strength_levels=2), {"choice": "B", "strength": 2}, "B"),
    (question("pairwise"), {"choice": "tie"}, "tie"),
    (question("ranking", items=[{"id": "x"}, {"id": "y"}]), ["y", "x"], '["y","x"]'),
    (question("text"), "words", None),
    (question("spans", source="doc", labels=["A"]), [], None),
    (question("boxes", source="photo", labels=["A"]), [], None),
    (question("label", options=AB), None, None),
]


@pytest.mark.parametrize(("spec", "value", "key"), KEYS)
def test_answer_keys(spec: dict[str, Any], value: Any, key: Any) -> None:
    parsed = template_of(spec).questions[0]
    assert answer_key(parsed, value) == key


def test_equal_answers_have_equal_keys() -> None:
    template = template_of(question("label", options=AB, multiple=True))
    first = validate_answer(template, {"q": ["b", "a"]})["q"]
    second = validate_answer(template, {"q": ["a", "b"]})["q"]
    assert answer_key(template.questions[0], first) == answer_key(template.questions[0], second)


CRITERIA = [
    {"id": "correct", "description": "d", "points": 4, "must_have": True},
    {"id": "tidy", "description": "d", "points": 1},
    {"id": "rude", "description": "d", "points": -2},
]


def rubric(scale: str) -> RubricQuestion:
    parsed = template_of(question("rubric", criteria=CRITERIA, scale=scale)).questions[0]
    assert isinstance(parsed, RubricQuestion)
    return parsed


@pytest.mark.parametrize(
    ("scale", "grades", "score"),
    [
        ("binary", {"correct": True, "tidy": True, "rude": False}, 5.0),
        ("binary", {"correct": True, "tidy": False, "rude": True}, 2.0),
        ("binary", {"correct": False, "tidy": True, "rude": False}, 0.0),
        ("points", {"correct": 4, "tidy": 0.5, "rude": -1}, 3.5),
        ("points", {"correct": 3.5, "tidy": 1, "rude": 0}, 0.0),
    ],
)
def test_rubric_scores_gate_on_must_haves(scale: str, grades: dict[str, Any], score: float) -> None:
    assert rubric_score(rubric(scale), grades) == score
    assert answer_key(rubric(scale), grades) == score
