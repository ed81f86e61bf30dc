"""Comparison questions: pairwise preference (A or B) and ranking of several items."""

from __future__ import annotations

from typing import Literal, Self

import pydantic

from assay.domain._spec import (
    Identifier,
    LongText,
    QuestionBase,
    ShortText,
    SpecModel,
    check_unique,
    spec_error,
)


class PairwiseAxis(SpecModel):
    """One aspect judged separately in a pairwise comparison (e.g. helpfulness)."""

    name: Identifier = pydantic.Field(description="Key of this axis in the answer's 'axes'.")
    label: ShortText | None = pydantic.Field(default=None, description="Text shown to the worker.")
    help: LongText | None = pydantic.Field(default=None, description="What to judge on this axis.")


class PairwiseQuestion(QuestionBase):
    """Which of two responses, A or B, is better (optionally how much, and per axis).

    Answer: ``{"choice": "A"|"B"|"tie", "strength"?: int, "axes"?: {axis: choice or
    {"choice", "strength"?}}, "reason"?: str}``.
    """

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "pairwise",
                    "name": "preference",
                    "prompt": "Which response is better?",
                    "source": "responses",
                    "strength_levels": 3,
                    "strength_labels": ["slightly", "clearly", "much"],
                }
            ]
        }
    )
    type: Literal["pairwise"]
    source: Identifier | None = pydantic.Field(
        default=None,
        description="A model_responses field with max_responses 2 holding responses A and B.",
    )
    allow_tie: bool = pydantic.Field(default=True, description="Offer 'tie' as a choice.")
    strength_levels: int = pydantic.Field(
        default=0,
        ge=0,
        le=7,
        description="0: strength not asked; 2-7: how much better, from 1 (slightly) upward.",
    )
    strength_labels: list[ShortText] | None = pydantic.Field(
        default=None, description="Text for each strength level, weakest first."
    )
    axes: list[PairwiseAxis] | None = pydantic.Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Aspects each judged A/B/tie as well.",
    )
    require_reason: bool = pydantic.Field(
        default=False, description="Require a written reason with the choice."
    )

    @pydantic.model_validator(mode="after")
    def _check_strength(self) -> Self:
        if self.strength_levels == 1:
            raise spec_error(
                "strength_levels must be 0 (not asked) or 2 to 7", loc=("strength_levels",)
            )
        labels = self.strength_labels
        if labels is not None and len(labels) != self.strength_levels:
            raise spec_error(
                f"{len(labels)} strength_labels given for {self.strength_levels} strength levels",
                loc=("strength_labels",),
            )
        if self.axes is not None:
            check_unique([axis.name for axis in self.axes], "axis", "name", within="axes")
        return self


class RankingItem(SpecModel):
    """One fixed item to rank."""

    id: ShortText = pydantic.Field(description="Value of this item in the answer.")
    label: ShortText | None = pydantic.Field(default=None, description="Text shown to the worker.")


class RankingQuestion(QuestionBase):
    """Order items from best to worst. Answer: the list of item ids, best first.

    Items come from a model_responses field (``source``; ids are the responses' ``id`` values,
    or their 0-based indexes when they have none) or from a fixed list (``items``).
    """

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "ranking",
                    "name": "order",
                    "prompt": "Rank the responses, best first.",
                    "source": "responses",
                }
            ]
        }
    )
    type: Literal["ranking"]
    source: Identifier | None = pydantic.Field(
        default=None, description="Name of a model_responses field whose responses are ranked."
    )
    items: list[RankingItem] | None = pydantic.Field(
        default=None,
        min_length=2,
        max_length=50,
        description="Fixed items to rank (2 to 50), instead of source.",
    )

    @pydantic.model_validator(mode="after")
    def _check_items(self) -> Self:
        if (self.source is None) == (self.items is None):
            raise spec_error("give exactly one of source or items", loc=("source",))
        if self.items is not None:
            check_unique([item.id for item in self.items], "item id", "id", within="items")
        return self
