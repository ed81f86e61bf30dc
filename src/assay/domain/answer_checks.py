"""Per-question-type checks of one answer value; each returns the value in normal form."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from assay.domain._spec import grid_index
from assay.domain.questions import (
    LabelQuestion,
    NumericQuestion,
    PairwiseQuestion,
    RankingQuestion,
    RatingQuestion,
    RubricQuestion,
    TextQuestion,
)
from assay.domain.template import Template
from assay.domain.validation import Loc, json_kind

MAX_REASON_LENGTH = 10_000
_EPSILON = 1e-9
_LARGEST = 1.7976931348623157e308  # the largest finite float


class AnswerProblem(Exception):
    """Why one question's value is refused, and where inside the value (``loc``)."""

    def __init__(self, message: str, loc: Sequence[str | int] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.loc: Loc = list(loc)


def _number(value: object, loc: Sequence[str | int] = ()) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerProblem(f"must be a number, not {json_kind(value)}", loc)
    # Ints beyond float range would break every later numeric use (voting keys, numpy).
    if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > _LARGEST:
        raise AnswerProblem("must be a finite number", loc)
    return value


def _object(
    value: object, shape: str, keys: set[str], loc: Sequence[str | int] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AnswerProblem(f"must be an object {shape}, not {json_kind(value)}", loc)
    for key in value:
        if key not in keys:
            raise AnswerProblem("unknown key", [*loc, key])
    return value


def _list(value: object, shape: str) -> list[Any]:
    if not isinstance(value, list):
        raise AnswerProblem(f"must be a list of {shape}, not {json_kind(value)}")
    return value


def check_label(_: Template, question: LabelQuestion, value: Any, __: Any) -> str | list[str]:
    """Check an option value, or for ``multiple`` a list of them (returned in option order)."""
    order = {option.value: index for index, option in enumerate(question.options)}
    if not question.multiple:
        if not isinstance(value, str):
            raise AnswerProblem(f"must be an option value (a string), not {json_kind(value)}")
        if value not in order:
            raise AnswerProblem(
                f"{value[:100]!r} is not an option; expected one of {_listed(order)}"
            )
        return value
    chosen = _list(value, "option values")
    seen: set[str] = set()
    for index, item in enumerate(chosen):
        if not isinstance(item, str) or item not in order:
            raise AnswerProblem(
                f"{item!r} is not an option; expected one of {_listed(order)}", [index]
            )
        if item in seen:
            raise AnswerProblem(f"{item!r} is chosen twice", [index])
        seen.add(item)
    low, high = question.selection_bounds
    if not low <= len(chosen) <= high:
        raise AnswerProblem(f"choose {low} to {high} options, not {len(chosen)}")
    return sorted(chosen, key=order.__getitem__)


def _listed(values: Iterable[object], most: int = 12) -> str:
    names = list(values)
    shown = ", ".join(repr(name) for name in names[:most])
    return shown + (f", ... ({len(names)} in all)" if len(names) > most else "")


def check_rating(_: Template, question: RatingQuestion, value: Any, __: Any) -> float | int:
    """Check a number is a point of the scale; return it snapped to the exact point."""
    number = _number(value)
    if not question.min - _EPSILON <= number <= question.max + _EPSILON:
        raise AnswerProblem(f"must be between {question.min:g} and {question.max:g}")
    steps = grid_index(number, question.min, question.step)
    if steps is None:
        raise AnswerProblem(
            f"must be a point of the scale: {question.min:g} plus a multiple of {question.step:g}"
        )
    point = question.min + steps * question.step
    return round(point) if question.integral else round(point, 10)


def _judgement(question: PairwiseQuestion, value: dict[str, Any], loc: Loc) -> dict[str, Any]:
    choices = ("A", "B", "tie") if question.allow_tie else ("A", "B")
    choice = value.get("choice")
    if not isinstance(choice, str) or choice not in choices:
        raise AnswerProblem(f"must be one of {_listed(choices)}", [*loc, "choice"])
    strength = value.get("strength")
    levels = question.strength_levels
    if choice == "tie" or not levels:
        if strength is not None:
            reason = "a tie has no strength" if levels else "this question asks no strength"
            raise AnswerProblem(reason, [*loc, "strength"])
        return {"choice": choice}
    if isinstance(strength, bool) or not isinstance(strength, int) or not 1 <= strength <= levels:
        raise AnswerProblem(f"must be a whole number from 1 to {levels}", [*loc, "strength"])
    return {"choice": choice, "strength": strength}


def check_pairwise(_: Template, question: PairwiseQuestion, value: Any, __: Any) -> dict[str, Any]:
    """Check ``{"choice", "strength"?, "axes"?, "reason"?}``; an axis may be a bare choice."""
    shape = "{choice, strength?, axes?, reason?}"
    answer = _object(value, shape, {"choice", "strength", "axes", "reason"})
    normal = _judgement(question, answer, [])
    axes = answer.get("axes")
    if question.axes:
        given = _object(axes, "{axis: choice}", {axis.name for axis in question.axes}, ["axes"])
        normal["axes"] = {}
        for axis in question.axes:
            item = given.get(axis.name)
            if item is None:
                raise AnswerProblem("is required", ["axes", axis.name])
            if isinstance(item, str):
                item = {"choice": item}
            item = _object(item, "{choice, strength?}", {"choice", "strength"}, ["axes", axis.name])
            normal["axes"][axis.name] = _judgement(question, item, ["axes", axis.name])
    elif axes is not None:
        raise AnswerProblem("this question has no axes", ["axes"])
    reason = answer.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise AnswerProblem(f"must be a string, not {json_kind(reason)}", ["reason"])
    reason = _clean_text(reason or "")
    if question.require_reason and not reason:
        raise AnswerProblem("a reason is required", ["reason"])
    if len(reason) > MAX_REASON_LENGTH:
        raise AnswerProblem(f"must be at most {MAX_REASON_LENGTH} characters", ["reason"])
    if reason:
        normal["reason"] = reason
    return normal


def _ranking_ids(template: Template, question: RankingQuestion, payload: Any) -> list[Any] | None:
    if question.items is not None:
        return [item.id for item in question.items]
    if payload is None:
        return None
    key = template.fields_by_name[str(question.source)].key
    responses = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(responses, list) or not all(isinstance(r, dict) for r in responses):
        raise AnswerProblem(f"the task payload has no list of responses under {key!r}")
    ids = [response.get("id") for response in responses]
    return ids if all(isinstance(i, str) for i in ids) else list(range(len(responses)))


def check_ranking(
    template: Template, question: RankingQuestion, value: Any, payload: Any
) -> list[Any]:
    """Check a ranking: item ids best first, all of them once (response ids or indexes)."""
    ranking = _list(value, "item ids, best first")
    seen: set[str | int] = set()
    for index, item in enumerate(ranking):
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise AnswerProblem(f"must be an item id, not {json_kind(item)}", [index])
        if item in seen:
            raise AnswerProblem(f"{item!r} is ranked twice", [index])
        seen.add(item)
    ids = _ranking_ids(template, question, payload)
    if ids is None:
        if len(ranking) < 2:
            raise AnswerProblem("must rank at least 2 items")
        return list(ranking)
    known = set(ids)
    for index, item in enumerate(ranking):
        if item not in known:
            raise AnswerProblem(f"{item!r} is not an item; expected one of {_listed(ids)}", [index])
    missing = [item for item in ids if item not in seen]
    if missing:
        raise AnswerProblem(f"must rank every item; missing {_listed(missing)}")
    return list(ranking)


def _clean_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def check_text(_: Template, question: TextQuestion, value: Any, __: Any) -> str:
    """Check free text; return it trimmed and NFC-normalised (length counts code points)."""
    if not isinstance(value, str):
        raise AnswerProblem(f"must be a string, not {json_kind(value)}")
    text = _clean_text(value)
    if not text and question.min_length:
        raise AnswerProblem("must not be empty")
    if len(text) < question.min_length:
        raise AnswerProblem(f"must be at least {_characters(question.min_length)}, not {len(text)}")
    if len(text) > question.max_length:
        raise AnswerProblem(f"must be at most {_characters(question.max_length)}, not {len(text)}")
    return text


def _characters(count: int) -> str:
    return "1 character" if count == 1 else f"{count} characters"


def check_rubric(_: Template, question: RubricQuestion, value: Any, __: Any) -> dict[str, Any]:
    """Check every criterion is graded: met or not (binary), or points between 0 and its points."""
    ids = {criterion.id for criterion in question.criteria}
    grades = _object(value, "{criterion_id: grade}", ids)
    normal: dict[str, Any] = {}
    for criterion in question.criteria:
        grade = grades.get(criterion.id)
        if grade is None:
            raise AnswerProblem("is required", [criterion.id])
        if question.scale == "binary":
            if not isinstance(grade, bool):
                raise AnswerProblem(
                    f"must be true or false, not {json_kind(grade)}", [criterion.id]
                )
        else:
            low, high = sorted((0.0, criterion.points))
            grade = _number(grade, [criterion.id])
            if not low <= grade <= high:
                raise AnswerProblem(f"must be between {low:g} and {high:g}", [criterion.id])
        normal[criterion.id] = grade
    return normal


def check_numeric(_: Template, question: NumericQuestion, value: Any, __: Any) -> float | int:
    """Check a number is within bounds (and whole when ``integer``, then returned as an int)."""
    number = _number(value)
    if question.integer:
        if isinstance(number, float) and not number.is_integer():
            raise AnswerProblem("must be a whole number")
        number = int(number)
    if question.min is not None and number < question.min:
        raise AnswerProblem(f"must be at least {question.min:g}")
    if question.max is not None and number > question.max:
        raise AnswerProblem(f"must be at most {question.max:g}")
    return number
