"""Turn pydantic validation errors into Assay error details: a path and a plain reason each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict, get_args

from assay.domain._spec import IDENTIFIER_PATTERN
from assay.domain.fields import FieldKind
from assay.domain.questions import QuestionType

Loc = list[str | int]


class ErrorDetail(TypedDict):
    """One problem of an invalid input: where (``loc``) and why (``msg``)."""

    loc: Loc
    msg: str


_UNION_TAGS = frozenset(get_args(FieldKind)) | frozenset(get_args(QuestionType))
_UNION_LISTS = frozenset({"fields", "questions"})

_SIMPLE_REASONS = {
    "missing": "is required",
    "extra_forbidden": "unknown key",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "list_type": "must be a list",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "union_tag_not_found": "is required",
}

_SINGULARS = {"criteria": "criterion", "axes": "axis", "entries": "entry"}

_PATTERN_REASONS = {
    IDENTIFIER_PATTERN: "must be a lowercase letter followed by up to 63 lowercase letters, "
    "digits or '_'",
    r"^[a-z0-9]$": "must be one lowercase letter or digit",
}


def json_kind(value: object) -> str:
    """Name a JSON value's type for an error message: "a string", "a number", "null", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def format_loc(loc: Sequence[str | int], root: str = "") -> str:
    """Write a location as a path: ``("questions", 1, "options")`` -> ``questions[1].options``.

    Args:
        loc: Keys and list indexes from the outside in.
        root: What to call the whole input when ``loc`` is empty.

    """
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or root


def details_from_errors(errors: Iterable[Any]) -> list[ErrorDetail]:
    """Convert pydantic's ``ValidationError.errors()`` into ``{"loc", "msg"}`` details.

    Union tags that pydantic inserts into locations (``questions[1].label.options``) are
    dropped, cross-check errors are placed where they belong, and pydantic's wording is replaced
    by short reasons meant for the person who wrote the input.
    """
    details: list[ErrorDetail] = []
    for error in errors:
        context = error.get("ctx") or {}
        loc = _strip_union_tags(error["loc"])
        noun = loc[-1] if loc and isinstance(loc[-1], str) else "items"
        if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            loc.append(str(context.get("discriminator", "")).strip("'"))
        loc.extend(context.get("spec_loc") or ())
        reason = _reason(error["type"], context, error["msg"], noun)
        details.append({"loc": loc, "msg": reason})
    return details


def _strip_union_tags(loc: Sequence[str | int]) -> Loc:
    # pydantic names the union member after the list index: ("questions", 1, "label", ...).
    return [
        part
        for i, part in enumerate(loc)
        if not (
            i >= 2
            and part in _UNION_TAGS
            and isinstance(loc[i - 1], int)
            and loc[i - 2] in _UNION_LISTS
        )
    ]


def _reason(kind: str, context: dict[str, Any], default: str, noun: str) -> str:
    if kind in _SIMPLE_REASONS:
        return _SIMPLE_REASONS[kind]
    if kind == "union_tag_invalid":
        name = str(context.get("discriminator", "value")).strip("'")
        return f"unknown {name} {context.get('tag')!r}; expected one of {context['expected_tags']}"
    if kind == "too_short":
        return f"at least {_count(context['min_length'], noun)} required"
    if kind == "too_long":
        return f"at most {_count(context['max_length'], noun)} allowed"
    if kind == "string_too_short":
        minimum = context["min_length"]
        return "must not be empty" if minimum == 1 else f"must be at least {minimum} characters"
    if kind == "string_too_long":
        return f"must be at most {context['max_length']} characters"
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern"))
        return _PATTERN_REASONS.get(pattern, f"must match the pattern {pattern}")
    if kind == "literal_error":
        return f"must be {context['expected']}"
    return _rephrase(default)


def _count(number: int, plural: str) -> str:
    """Say "1 question is" or "2 options are", from the list's key as the plural noun."""
    if number != 1:
        return f"{number} {plural} are"
    singular = _SINGULARS.get(plural) or (plural[:-1] if plural.endswith("s") else plural)
    return f"1 {singular} is"


def _rephrase(message: str) -> str:
    for prefix, replacement in (("Value error, ", ""), ("Input should be ", "must be ")):
        if message.startswith(prefix):
            message = replacement + message[len(prefix) :]
    return message
