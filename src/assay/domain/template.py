"""The task template (fields shown + questions asked), its cross-checks and its parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self, TypeVar, cast

import pydantic

from assay.domain._spec import SpecModel, spec_error
from assay.domain.demo import DEMO_TEMPLATES
from assay.domain.fields import TEXT_KINDS, Field, ModelResponsesField
from assay.domain.questions import BoxesQuestion, PairwiseQuestion, Question, SpansQuestion
from assay.domain.validation import details_from_errors, format_loc
from assay.errors import InvalidInput

_T = TypeVar("_T")
_DERIVED = "_derived"  # key in a template's __dict__ holding what derived() built

MAX_FIELDS = 50
MAX_QUESTIONS = 50


class Template(SpecModel):
    """What a project's tasks show (fields read from each task's payload) and ask (questions).

    Names are unique across fields and questions. Questions that work on a field (spans on a
    text field, boxes on an image field, ranking or pairwise on a model_responses field) name it
    in their ``source``; that field must exist, have the right kind and be required.
    """

    model_config = pydantic.ConfigDict(
        json_schema_extra={"examples": [DEMO_TEMPLATES["sentiment"]]}
    )

    fields: list[Field] = pydantic.Field(
        default_factory=list,
        max_length=MAX_FIELDS,
        description="What is shown, in display order; each reads one key of the task payload.",
    )
    questions: list[Question] = pydantic.Field(
        min_length=1,
        max_length=MAX_QUESTIONS,
        description="What is asked, in display order (at least one).",
    )

    @pydantic.model_validator(mode="after")
    def _check_names(self) -> Self:
        seen: set[str] = set()
        parts: list[tuple[str, int, str]] = [
            ("fields", i, f.name) for i, f in enumerate(self.fields)
        ] + [("questions", i, q.name) for i, q in enumerate(self.questions)]
        for group, index, name in parts:
            if name in seen:
                raise spec_error(f"name {name!r} is already used", loc=(group, index, "name"))
            seen.add(name)
        keys: set[str] = set()
        for index, field in enumerate(self.fields):
            if field.key in keys:
                raise spec_error(
                    f"payload key {field.key!r} is read by another field",
                    loc=("fields", index, "source"),
                )
            keys.add(field.key)
        return self

    @pydantic.model_validator(mode="after")
    def _check_sources(self) -> Self:
        for index, question in enumerate(self.questions):
            problem = self._source_problem(question)
            if problem:
                raise spec_error(problem, loc=("questions", index, "source"))
        return self

    def _source_problem(self, question: Question) -> str | None:
        source = getattr(question, "source", None)
        if source is None:
            return None
        field = next((f for f in self.fields if f.name == source), None)
        if field is None:
            return f"there is no field named {source!r}"
        if isinstance(question, SpansQuestion):
            fits, expected = field.kind in TEXT_KINDS, "a text, markdown or code field"
        elif isinstance(question, BoxesQuestion):
            fits, expected = field.kind == "image", "an image field"
        else:
            fits, expected = field.kind == "model_responses", "a model_responses field"
        if not fits:
            return f"field {source!r} is a {field.kind} field; expected {expected}"
        if not field.required:
            return f"field {source!r} must be required, since this question works on it"
        if (
            isinstance(question, PairwiseQuestion)
            and isinstance(field, ModelResponsesField)
            and field.max_responses != 2
        ):
            return f"field {source!r} must set max_responses to 2 to compare A with B"
        return None

    @property
    def fields_by_name(self) -> dict[str, Field]:
        """The fields keyed by name."""
        return {field.name: field for field in self.fields}

    @property
    def questions_by_name(self) -> dict[str, Question]:
        """The questions keyed by name."""
        return {question.name: question for question in self.questions}

    def derived(self, name: str, build: Callable[[Template], _T]) -> _T:
        """Return ``build(self)``, built on first use and then reused (for compiled checks).

        Bulk validation calls this per task, so a hit is a dict lookup. Templates are treated
        as immutable: a copy made with ``model_copy(update=...)`` has new field and question
        lists and so builds afresh, but lists changed in place are not noticed.
        """
        cache: dict[str, tuple[object, object, Any]] = self.__dict__.setdefault(_DERIVED, {})
        entry = cache.get(name)
        if entry is not None and entry[0] is self.fields and entry[1] is self.questions:
            return cast(_T, entry[2])
        value = build(self)
        cache[name] = (self.fields, self.questions, value)
        return value

    def __getstate__(self) -> dict[Any, Any]:
        # Compiled checks are closures, which cannot be pickled; they are rebuilt on demand.
        state = super().__getstate__()
        state["__dict__"] = {k: v for k, v in state["__dict__"].items() if k != _DERIVED}
        return state


def parse_template(raw: object) -> Template:
    """Validate a template given as plain JSON data.

    Args:
        raw: The decoded JSON template (a dict), or a ``Template`` (returned as is).

    Returns:
        The validated template.

    Raises:
        InvalidInput: The template is not valid; ``details`` lists every problem as
            ``{"loc": [...], "msg": ...}`` and the message names the first one, e.g.
            ``"questions[1].options: at least 2 options are required"``.

    """
    if isinstance(raw, Template):
        return raw
    try:
        return Template.model_validate(raw)
    except pydantic.ValidationError as error:
        details = details_from_errors(error.errors())
        first = details[0]
        message = f"{format_loc(first['loc'], 'template')}: {first['msg']}"
        raise InvalidInput(message, details=details) from None
