"""Region questions: labelled character spans on a text field, labelled boxes on an image."""

from __future__ import annotations

from typing import Annotated, Literal, Self

import pydantic

from assay.domain._spec import (
    Identifier,
    QuestionBase,
    ShortText,
    check_unique,
    spec_error,
)


def _check_label_names(labels: list[str]) -> list[str]:
    check_unique(labels, "label")
    return labels


LabelNames = Annotated[
    list[ShortText],
    pydantic.Field(min_length=1, max_length=100),
    pydantic.AfterValidator(_check_label_names),
]


class SpansQuestion(QuestionBase):
    """Mark labelled character ranges of a text field (named entities, evidence, errors).

    Answer: a list of ``{"start": int, "end": int, "label": str}``; offsets count Unicode code
    points of the source text, ``end`` exclusive. An empty list means nothing to mark.
    """

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "spans",
                    "name": "entities",
                    "prompt": "Mark every person and organisation.",
                    "source": "text",
                    "labels": ["PER", "ORG"],
                }
            ]
        }
    )
    type: Literal["spans"]
    source: Identifier = pydantic.Field(description="Name of the text/markdown/code field.")
    labels: LabelNames = pydantic.Field(description="Span label names (1 to 100).")
    allow_overlap: bool = pydantic.Field(default=False, description="Allow spans to overlap.")


class BoxesQuestion(QuestionBase):
    """Draw labelled rectangles on an image field.

    Answer: a list of ``{"x", "y", "w", "h": number, "label": str}`` with coordinates normalised
    to the image size: (x, y) is the top-left corner, everything within [0, 1].
    """

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "boxes",
                    "name": "objects",
                    "prompt": "Draw a box around every car.",
                    "source": "photo",
                    "labels": ["car"],
                }
            ]
        }
    )
    type: Literal["boxes"]
    source: Identifier = pydantic.Field(description="Name of the image field.")
    labels: LabelNames = pydantic.Field(description="Box label names (1 to 100).")
    min_boxes: int = pydantic.Field(default=0, ge=0, le=1000, description="Fewest boxes.")
    max_boxes: int = pydantic.Field(default=1000, ge=1, le=1000, description="Most boxes.")

    @pydantic.model_validator(mode="after")
    def _check_counts(self) -> Self:
        if self.min_boxes > self.max_boxes:
            raise spec_error(
                f"min_boxes ({self.min_boxes}) is above max_boxes ({self.max_boxes})",
                loc=("min_boxes",),
            )
        return self
