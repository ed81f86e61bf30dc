"""Validate workers' answers and gold answers against a template; canonical keys for voting.

An answer is a JSON object ``{question_name: value}``. Each value is checked against its
question's spec (and, for spans and rankings, against the task payload) and returned in a
normal form: trimmed text, sorted spans, snapped ratings, multi-labels in option order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn

from assay.domain.answer_checks import (
    AnswerProblem,
    check_label,
    check_numeric,
    check_pairwise,
    check_ranking,
    check_rating,
    check_rubric,
    check_text,
)
from assay.domain.answer_regions import check_boxes, check_spans
from assay.domain.questions import (
    LabelQuestion,
    NumericQuestion,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    RatingQuestion,
    RubricQuestion,
)
from assay.domain.template import Template
from assay.domain.validation import ErrorDetail, format_loc
from assay.errors import InvalidInput

_CHECKS: dict[str, Callable[[Template, Any, Any, Any], Any]] = {
    "label": check_label,
    "rating": check_rating,
    "pairwise": check_pairwise,
    "ranking": check_ranking,
    "text": check_text,
    "spans": check_spans,
    "boxes": check_boxes,
    "rubric": check_rubric,
    "numeric": check_numeric,
}


def validate_answer(
    template: Template, answer: object, payload: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Check a worker's answer: every required question answered, every value valid.

    Args:
        template: The project's template.
        answer: The decoded JSON answer, ``{question_name: value}``. A null value counts as
            not answered.
        payload: The task's payload; when given, spans are checked against the source text's
            length and rankings against the responses' ids.

    Returns:
        The answer in normal form, holding only the answered questions.

    Raises:
        InvalidInput: The answer is not valid; ``details`` lists every problem with a ``loc``
            starting with the question's name, and the message names the first.

    """
    return _validate(template, answer, payload, gold=False)


def validate_gold(
    template: Template, gold: object, payload: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Check a gold answer: the same rules as an answer, but it may cover only some questions.

    Args:
        template: The project's template.
        gold: The decoded JSON gold answer, ``{question_name: value}``, at least one question.
        payload: The gold task's payload (see ``validate_answer``).

    Returns:
        The gold answer in normal form.

    Raises:
        InvalidInput: The gold answer is not valid or answers no question.

    """
    return _validate(template, gold, payload, gold=True)


def _validate(template: Template, answer: object, payload: Any, *, gold: bool) -> dict[str, Any]:
    what = "gold answer" if gold else "answer"
    if not isinstance(answer, dict):
        _refuse(what, [{"loc": [], "msg": "must be a JSON object {question_name: value}"}])
    known = template.questions_by_name
    details: list[ErrorDetail] = [
        {"loc": [key], "msg": "unknown question"} for key in answer if key not in known
    ]
    normal: dict[str, Any] = {}
    for question in template.questions:
        value = answer.get(question.name)
        if value is None:
            if question.required and not gold:
                details.append({"loc": [question.name], "msg": "an answer is required"})
            continue
        try:
            normal[question.name] = _CHECKS[question.type](template, question, value, payload)
        except AnswerProblem as problem:
            details.append({"loc": [question.name, *problem.loc], "msg": problem.message})
    if gold and not normal and not details:
        details.append({"loc": [], "msg": "a gold answer must answer at least one question"})
    if details:
        _refuse(what, details)
    return normal


def _refuse(what: str, details: list[ErrorDetail]) -> NoReturn:
    first = details[0]
    raise InvalidInput(f"{format_loc(first['loc'], what)}: {first['msg']}", details=details)


def answer_key(question: Question, value: Any) -> str | float | None:
    """Reduce a normalised answer value to a key that votes and gold checks compare.

    Args:
        question: The question answered.
        value: Its value as returned by ``validate_answer`` (None when not answered).

    Returns:
        The option value (label); for multiple labels the sorted values as a JSON list; the
        choice "A", "B" or "tie" (pairwise); the ranking as a JSON list of ids; the number
        (rating, numeric) or the rubric score as a float; None for free text, spans and boxes,
        which are aggregated by other means than a vote.

    """
    if value is None:
        return None
    if isinstance(question, LabelQuestion):
        return _json_list(sorted(value)) if question.multiple else str(value)
    if isinstance(question, RatingQuestion | NumericQuestion):
        return float(value)
    if isinstance(question, PairwiseQuestion):
        return str(value["choice"])
    if isinstance(question, RankingQuestion):
        return _json_list(list(value))
    if isinstance(question, RubricQuestion):
        return rubric_score(question, value)
    return None


def _json_list(values: list[Any]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def rubric_score(question: RubricQuestion, grades: dict[str, Any]) -> float:
    """Total the points of a validated rubric grade; 0 when a must-have criterion is not met.

    Binary scale: a met criterion earns its points. Points scale: the points awarded count;
    a must-have criterion counts as met only when awarded its full points.
    """
    total = 0.0
    for criterion in question.criteria:
        grade = grades.get(criterion.id)
        if isinstance(grade, bool):
            met, earned = grade, (criterion.points if grade else 0.0)
        else:
            earned = float(grade or 0.0)
            met = earned == criterion.points
        if criterion.must_have and not met:
            return 0.0
        total += earned
    return total
