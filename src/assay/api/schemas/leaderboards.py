"""What the API answers about leaderboards: standings, style effects, diagnostics, variants."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class BoardQuery(BaseModel):
    """Which votes count on a board and how its ratings are fitted."""

    model_config = ConfigDict(extra="forbid")

    style_control: bool = Field(
        default=True, description="Hold length, markdown and emoji equal (covariates)."
    )
    ties: Literal["davidson", "half"] = Field(
        default="davidson", description="Model ties (Davidson) or count them as half a win."
    )
    category: str | None = Field(
        default=None, max_length=200, description="Only votes on tasks of this category."
    )
    category_key: str = Field(
        default="category", max_length=200, description="Task metadata key naming the category."
    )
    min_rater_accuracy: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Set aside votes of raters whose gold accuracy (5+ gold answers) is lower.",
    )
    exclude_low_effort: bool = Field(
        default=True, description="Set aside votes cast faster than the answers can be read."
    )
    bootstrap_rounds: int = Field(default=500, ge=0, le=5000)
    level: float = Field(default=0.95, ge=0.5, lt=1.0, description="Interval level.")


class StandingPublic(BaseModel):
    """One variant's place: Elo-scale rating with rater-clustered and sandwich intervals."""

    variant_id: str
    name: str
    model: str
    rating: float
    ci_low: float
    ci_high: float
    sandwich_low: float
    sandwich_high: float
    rank: int = Field(description="1 + variants better beyond doubt (CI entirely above).")
    votes: int
    wins: float = Field(description="Wins, ties counting half.")


class StyleEffectPublic(BaseModel):
    """A style feature's pull on votes: log-odds per standard deviation of the difference."""

    feature: str
    coefficient: float
    ci_low: float
    ci_high: float
    se_sandwich: float
    explained_by_models: float = Field(
        description="Share of this feature's variance explained by which models met (R²); "
        "near 1, style control cannot separate this style from the models that have it."
    )


class StabilityPublic(BaseModel):
    """Votes that must be dropped before another variant ranks first (an upper bound)."""

    leader: str
    challenger: str | None
    votes_to_flip: int | None
    share: float | None


class VariantPublic(BaseModel):
    """A model variant ever submitted to the board (append-only; never retracted)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    endpoint_id: str
    name: str
    kind: str
    model: str
    base_url: str | None
    settings: dict[str, Any]
    created_at: datetime


class LeaderboardPublic(BaseModel):
    """A project's leaderboard."""

    project_id: str
    query: BoardQuery
    standings: list[StandingPublic]
    uncontrolled: list[StandingPublic] | None = Field(
        description="The ranking without style control, for comparison."
    )
    style_effects: list[StyleEffectPublic]
    tie_param: float | None = Field(description="Davidson's tie parameter (None: ties as half).")
    order: list[str] = Field(description="Variant ids, in the order of win_rates and games.")
    win_rates: list[list[float | None]] = Field(
        description="Row variant's share of points against the column variant (ties half)."
    )
    games: list[list[int]]
    stability: StabilityPublic | None
    votes_used: int
    raters: int
    set_aside: dict[str, int] = Field(description="Votes not counted, by reason.")
    categories: dict[str, int] = Field(description="Counted votes per task category.")
    variants: list[VariantPublic]
    method: str
