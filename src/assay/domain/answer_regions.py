"""Checks of region answers: character spans on a text field, boxes on an image."""

from __future__ import annotations

import math
from typing import Any

from assay.domain.answer_checks import AnswerProblem
from assay.domain.region_questions import BoxesQuestion, SpansQuestion
from assay.domain.template import Template
from assay.domain.validation import json_kind

_SPAN_KEYS = frozenset({"start", "end", "label"})
_BOX_KEYS = ("x", "y", "w", "h")
_EPSILON = 1e-9
MAX_SPANS = 10_000


def _entry(value: object, index: int, keys: frozenset[str], shape: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AnswerProblem(f"must be an object {shape}, not {json_kind(value)}", [index])
    for key in keys:
        if key not in value:
            raise AnswerProblem("is required", [index, key])
    for key in value:
        if key not in keys:
            raise AnswerProblem("unknown key", [index, key])
    return value


def _label(entry: dict[str, Any], index: int, labels: list[str]) -> str:
    label = entry["label"]
    if not isinstance(label, str) or label not in labels:
        shown = ", ".join(repr(name) for name in labels)
        raise AnswerProblem(f"{label!r} is not a label; expected one of {shown}", [index, "label"])
    return label


def _source_text(template: Template, question: SpansQuestion, payload: Any) -> str | None:
    if payload is None:
        return None
    key = template.fields_by_name[question.source].key
    text = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(text, str):
        raise AnswerProblem(f"the task payload has no text under {key!r} to mark spans on")
    return text


def _span(entry: dict[str, Any], index: int, question: SpansQuestion, size: int | None) -> Any:
    start, end = entry["start"], entry["end"]
    for key, offset in (("start", start), ("end", end)):
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise AnswerProblem(f"must be a whole number, not {json_kind(offset)}", [index, key])
    if not 0 <= start < end:
        raise AnswerProblem(f"needs 0 <= start < end, not start={start}, end={end}", [index])
    if size is not None and end > size:
        raise AnswerProblem(f"is past the end of the text ({size} characters)", [index, "end"])
    return (start, end, _label(entry, index, question.labels), index)


def check_spans(
    template: Template, question: SpansQuestion, value: Any, payload: Any
) -> list[dict[str, Any]]:
    """Check spans ``{start, end, label}`` (code point offsets, end exclusive).

    With the payload, ``end`` must not pass the end of the source text. Identical spans are
    refused, and overlapping ones unless the question allows them. Returns the spans sorted
    by start, then end, then label.
    """
    if not isinstance(value, list):
        raise AnswerProblem(
            f"must be a list of {{start, end, label}} spans, not {json_kind(value)}"
        )
    if len(value) > MAX_SPANS:
        raise AnswerProblem(f"must hold at most {MAX_SPANS} spans, not {len(value)}")
    text = _source_text(template, question, payload)
    size = None if text is None else len(text)
    shape = "{start, end, label}"
    spans = sorted(
        _span(_entry(entry, index, _SPAN_KEYS, shape), index, question, size)
        for index, entry in enumerate(value)
    )
    reach = 0  # the furthest end among the spans sorted so far
    for previous, span in zip([None, *spans], spans, strict=False):
        if previous is not None and previous[:3] == span[:3]:
            raise AnswerProblem("repeats an earlier span", [span[3]])
        if span[0] < reach and not question.allow_overlap:
            raise AnswerProblem("overlaps another span; this question allows none", [span[3]])
        reach = max(reach, span[1])
    return [{"start": s, "end": e, "label": label} for s, e, label, _ in spans]


def _box(entry: dict[str, Any], index: int, question: BoxesQuestion) -> dict[str, Any]:
    box: dict[str, Any] = {}
    for key in _BOX_KEYS:
        number = entry[key]
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise AnswerProblem(f"must be a number, not {json_kind(number)}", [index, key])
        if not (math.isfinite(number) and 0 <= number <= 1):
            raise AnswerProblem("must be between 0 and 1 (a share of the image size)", [index, key])
        box[key] = float(number)
    if box["w"] == 0 or box["h"] == 0:
        raise AnswerProblem("must have a width and a height above 0", [index])
    if box["x"] + box["w"] > 1 + _EPSILON or box["y"] + box["h"] > 1 + _EPSILON:
        raise AnswerProblem("reaches outside the image (x + w and y + h must be <= 1)", [index])
    box["label"] = _label(entry, index, question.labels)
    return box


def check_boxes(_: Template, question: BoxesQuestion, value: Any, __: Any) -> list[dict[str, Any]]:
    """Check boxes ``{x, y, w, h, label}``: normalised to the image, within it, labelled."""
    if not isinstance(value, list):
        raise AnswerProblem(
            f"must be a list of {{x, y, w, h, label}} boxes, not {json_kind(value)}"
        )
    if not question.min_boxes <= len(value) <= question.max_boxes:
        raise AnswerProblem(
            f"must hold {question.min_boxes} to {question.max_boxes} boxes, not {len(value)}"
        )
    keys = frozenset((*_BOX_KEYS, "label"))
    shape = "{x, y, w, h, label}"
    return [
        _box(_entry(entry, index, keys, shape), index, question)
        for index, entry in enumerate(value)
    ]
