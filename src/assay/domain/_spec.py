"""Shared building blocks of template specs: the strict base model, identifiers, spec errors."""

from __future__ import annotations

import math
from typing import Annotated

import pydantic
from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"

Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
"""A field, question, axis or criterion name: lowercase letter, then letters, digits or ``_``."""

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
"""A short non-empty display string: a label, an option value, a payload key."""

LongText = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
"""A non-empty display text: a prompt, help, a rubric criterion."""


class SpecModel(BaseModel):
    """Base of every template part: unknown keys and loose coercions are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


def spec_error(message: str, loc: tuple[str | int, ...] | None = None) -> PydanticCustomError:
    """Build a validation error whose message is shown to the requester unchanged.

    Args:
        message: The reason, phrased for the person who wrote the template.
        loc: Where the error is, relative to the model whose validator raises it; pydantic
            reports a model validator's errors at the model itself, so cross-checks on the
            template pass the offending part's path here.

    """
    return PydanticCustomError("invalid_spec", message, {"spec_loc": loc} if loc else None)


def first_duplicate(values: list[str]) -> int | None:
    """Return the index of the first value already seen earlier in ``values``, if any."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


def grid_index(value: float, start: float, step: float) -> int | None:
    """Return ``k`` when ``value == start + k * step`` (up to float noise), else None."""
    position = (value - start) / step
    if not math.isfinite(position):
        return None  # e.g. a range so wide its width overflows a float
    k = round(position)
    return k if abs(position - k) <= 1e-9 * max(1.0, abs(position)) else None


class QuestionBase(SpecModel):
    """What every question has: a name, the prompt shown, whether it is required, help."""

    # Declared here, narrowed to a Literal by each type, so that "type" comes first in dumps.
    type: str
    name: Identifier = pydantic.Field(
        description="Unique name of the question; the key of its value in an answer.",
        examples=["sentiment"],
    )
    prompt: LongText = pydantic.Field(description="The question as shown to the worker.")
    required: bool = pydantic.Field(
        default=True, description="Whether every answer must include this question."
    )
    help: LongText | None = pydantic.Field(
        default=None, description="Longer guidance shown on demand (markdown)."
    )


def check_unique(
    values: list[str], what: str, sub: str | None = None, within: str | None = None
) -> None:
    """Raise a spec error at the first repeated value.

    Args:
        values: The values, one per list entry.
        what: What a value is, for the message ("option value").
        sub: The key of the value inside the entry, if entries are objects.
        within: The list's own key, when raised from a validator of the enclosing model.

    """
    index = first_duplicate(values)
    if index is not None:
        loc: tuple[str | int, ...] = (index,)
        loc = ((within,) if within else ()) + loc + ((sub,) if sub else ())
        raise spec_error(f"{what} {values[index]!r} appears more than once", loc=loc)
