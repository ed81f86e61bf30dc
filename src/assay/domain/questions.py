"""Question specs of a task template: what a worker is asked and which answers are valid.

Choice and value questions live here; comparisons (pairwise, ranking) and regions (spans,
boxes) have their own modules and are re-exported, so every question type imports from here.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

import pydantic
from pydantic import FiniteFloat

from assay.domain._spec import (
    Identifier,
    LongText,
    QuestionBase,
    ShortText,
    SpecModel,
    check_unique,
    grid_index,
    spec_error,
)
from assay.domain.comparison_questions import (
    PairwiseAxis,
    PairwiseQuestion,
    RankingItem,
    RankingQuestion,
)
from assay.domain.region_questions import BoxesQuestion, SpansQuestion

QuestionType = Literal[
    "label", "rating", "pairwise", "ranking", "text", "spans", "boxes", "rubric", "numeric"
]

Hotkey = Annotated[str, pydantic.StringConstraints(pattern=r"^[a-z0-9]$")]

MAX_SCALE_POINTS = 1001


class LabelOption(SpecModel):
    """One choice of a label question."""

    value: ShortText = pydantic.Field(description="Stored value of the choice.")
    label: ShortText | None = pydantic.Field(
        default=None, description="Text shown to the worker; defaults to the value."
    )
    hotkey: Hotkey | None = pydantic.Field(
        default=None, description="Keyboard shortcut: one lowercase letter or digit."
    )


class LabelQuestion(QuestionBase):
    """Single or multiple choice among fixed options.

    Answer: the chosen option value (a string), or a list of values when ``multiple`` is true.
    """

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "label",
                    "name": "sentiment",
                    "prompt": "What is the sentiment of the review?",
                    "options": [{"value": "positive", "hotkey": "p"}, {"value": "negative"}],
                }
            ]
        }
    )
    type: Literal["label"]
    options: list[LabelOption] = pydantic.Field(
        min_length=2, max_length=1000, description="The choices (2 to 1000, unique values)."
    )
    multiple: bool = pydantic.Field(default=False, description="Allow choosing several options.")
    min_selections: int | None = pydantic.Field(
        default=None, ge=0, description="With multiple: fewest options to choose (default 1)."
    )
    max_selections: int | None = pydantic.Field(
        default=None, ge=1, description="With multiple: most options to choose (default all)."
    )

    @pydantic.field_validator("options")
    @classmethod
    def _check_options(cls, options: list[LabelOption]) -> list[LabelOption]:
        check_unique([o.value for o in options], "option value", "value")
        hotkeys = [o.hotkey or f"#{i}" for i, o in enumerate(options)]
        check_unique(hotkeys, "hotkey", "hotkey")
        return options

    @pydantic.model_validator(mode="after")
    def _check_selections(self) -> Self:
        if not self.multiple:
            if self.min_selections is not None or self.max_selections is not None:
                raise spec_error(
                    "min_selections and max_selections need multiple: true", loc=("multiple",)
                )
            return self
        low, high = self.selection_bounds
        if high > len(self.options):
            raise spec_error(
                f"max_selections ({high}) is above the number of options ({len(self.options)})",
                loc=("max_selections",),
            )
        if low > high:
            raise spec_error(
                f"min_selections ({low}) is above max_selections ({high})", loc=("min_selections",)
            )
        return self

    @property
    def selection_bounds(self) -> tuple[int, int]:
        """Fewest and most options an answer may choose."""
        if not self.multiple:
            return 1, 1
        low = 1 if self.min_selections is None else self.min_selections
        high = len(self.options) if self.max_selections is None else self.max_selections
        return low, high


class RatingLabel(SpecModel):
    """Text shown for one point of a rating scale."""

    value: FiniteFloat = pydantic.Field(description="A point of the scale.")
    label: ShortText = pydantic.Field(description="Its text, e.g. 'Strongly agree'.")


class RatingQuestion(QuestionBase):
    """A rating on a numeric scale (Likert and similar). Answer: a number on the scale."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "rating",
                    "name": "fluency",
                    "prompt": "How fluent is the text?",
                    "min": 1,
                    "max": 5,
                    "labels": [{"value": 1, "label": "Poor"}, {"value": 5, "label": "Excellent"}],
                }
            ]
        }
    )
    type: Literal["rating"]
    min: FiniteFloat = pydantic.Field(default=1.0, description="Lowest point of the scale.")
    max: FiniteFloat = pydantic.Field(default=5.0, description="Highest point of the scale.")
    step: FiniteFloat = pydantic.Field(default=1.0, gt=0, description="Distance between points.")
    labels: list[RatingLabel] | None = pydantic.Field(
        default=None, description="Optional text for some or all points of the scale."
    )

    @pydantic.model_validator(mode="after")
    def _check_scale(self) -> Self:
        if self.max <= self.min:
            raise spec_error(f"max ({self.max:g}) must be above min ({self.min:g})", loc=("max",))
        points = grid_index(self.max, self.min, self.step)
        if points is None:
            raise spec_error("max - min must be a whole number of steps", loc=("step",))
        if points + 1 > MAX_SCALE_POINTS:
            raise spec_error(f"the scale has more than {MAX_SCALE_POINTS} points", loc=("step",))
        for index, label in enumerate(self.labels or []):
            on_grid = grid_index(label.value, self.min, self.step) is not None
            if not (self.min <= label.value <= self.max and on_grid):
                raise spec_error(
                    f"{label.value:g} is not a point of the scale", loc=("labels", index, "value")
                )
        check_unique(
            [f"{x.value:g}" for x in self.labels or []], "scale point", "value", within="labels"
        )
        return self

    @property
    def integral(self) -> bool:
        """Whether every point of the scale is a whole number."""
        return self.min.is_integer() and self.step.is_integer()


class TextQuestion(QuestionBase):
    """Free writing. Answer: a string, trimmed; its length is counted in characters."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "text",
                    "name": "response",
                    "prompt": "Write the ideal response.",
                    "min_length": 50,
                    "max_length": 4000,
                }
            ]
        }
    )
    type: Literal["text"]
    min_length: int = pydantic.Field(
        default=1, ge=0, le=100_000, description="Fewest characters (after trimming)."
    )
    max_length: int = pydantic.Field(
        default=10_000, ge=1, le=100_000, description="Most characters (after trimming)."
    )
    placeholder: Annotated[str, pydantic.StringConstraints(max_length=2000)] | None = (
        pydantic.Field(default=None, description="Hint shown in the empty text box.")
    )

    @pydantic.model_validator(mode="after")
    def _check_lengths(self) -> Self:
        if self.min_length > self.max_length:
            raise spec_error(
                f"min_length ({self.min_length}) is above max_length ({self.max_length})",
                loc=("min_length",),
            )
        return self


class RubricCriterion(SpecModel):
    """One criterion of a grading rubric."""

    id: Identifier = pydantic.Field(description="Key of this criterion in the answer.")
    description: LongText = pydantic.Field(description="What the grader checks.")
    points: FiniteFloat = pydantic.Field(
        default=1.0, description="Points when met; negative for a penalty."
    )
    must_have: bool = pydantic.Field(
        default=False,
        description="A gate: unless met in full, the whole grade is 0 whatever else is met.",
    )

    @pydantic.model_validator(mode="after")
    def _check_gate(self) -> Self:
        if self.must_have and self.points < 0:
            raise spec_error("a must-have criterion cannot carry negative points", loc=("points",))
        return self


class RubricQuestion(QuestionBase):
    """Grade against a rubric: every criterion met or not, or partial points.

    Answer: ``{criterion_id: bool}`` (binary scale) or ``{criterion_id: points awarded}``
    (points scale, between 0 and the criterion's points).
    """

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "rubric",
                    "name": "grade",
                    "prompt": "Grade the answer.",
                    "criteria": [
                        {"id": "correct", "description": "The result is correct.", "points": 5},
                        {"id": "rude", "description": "The tone is rude.", "points": -2},
                    ],
                }
            ]
        }
    )
    type: Literal["rubric"]
    criteria: list[RubricCriterion] = pydantic.Field(
        min_length=1, max_length=100, description="The criteria (1 to 100, unique ids)."
    )
    scale: Literal["binary", "points"] = pydantic.Field(
        default="binary", description="binary: met or not; points: partial credit allowed."
    )

    @pydantic.field_validator("criteria")
    @classmethod
    def _check_criteria(cls, criteria: list[RubricCriterion]) -> list[RubricCriterion]:
        check_unique([c.id for c in criteria], "criterion id", "id")
        return criteria


class NumericQuestion(QuestionBase):
    """A number, e.g. a count or a measurement. Answer: a number within the bounds."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "numeric",
                    "name": "age",
                    "prompt": "Age of the person?",
                    "min": 0,
                    "max": 130,
                    "integer": True,
                }
            ]
        }
    )
    type: Literal["numeric"]
    min: FiniteFloat | None = pydantic.Field(default=None, description="Lowest allowed value.")
    max: FiniteFloat | None = pydantic.Field(default=None, description="Highest allowed value.")
    integer: bool = pydantic.Field(default=False, description="Only whole numbers.")
    unit: ShortText | None = pydantic.Field(default=None, description="Unit shown after the box.")

    @pydantic.model_validator(mode="after")
    def _check_bounds(self) -> Self:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise spec_error(f"min ({self.min:g}) is above max ({self.max:g})", loc=("min",))
        return self


Question = Annotated[
    LabelQuestion
    | RatingQuestion
    | PairwiseQuestion
    | RankingQuestion
    | TextQuestion
    | SpansQuestion
    | BoxesQuestion
    | RubricQuestion
    | NumericQuestion,
    pydantic.Field(discriminator="type"),
]
"""Any question, told apart by its ``type``."""


__all__ = [
    "BoxesQuestion",
    "LabelOption",
    "LabelQuestion",
    "NumericQuestion",
    "PairwiseAxis",
    "PairwiseQuestion",
    "Question",
    "QuestionType",
    "RankingItem",
    "RankingQuestion",
    "RatingLabel",
    "RatingQuestion",
    "RubricCriterion",
    "RubricQuestion",
    "SpansQuestion",
    "TextQuestion",
]
