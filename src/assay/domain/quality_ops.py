"""What operations send to run quality operations: settings, experiments, seeded review errors."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

VARIANT_CONFIG_KEYS = frozenset(
    {
        "pay_per_task_cents",
        "guideline_version",
        "gold_rate",
        "time_estimate_seconds",
        "template",
        "review_policy",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QualitySettingsIn(_Strict):
    """A project's delivery target, response cap, policy rules and settings (all optional)."""

    quality_target: float | None = Field(default=None, ge=0.5, lt=1.0)
    clear_target: bool = False
    max_responses: int | None = Field(default=None, ge=1, le=100)
    rules: list[dict[str, Any]] | None = Field(default=None, max_length=50)
    settings: dict[str, Any] | None = None


class VariantIn(_Strict):
    """One arm of an experiment."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    share: float = Field(default=0.5, gt=0.0, le=1.0)
    is_control: bool = False
    config: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_config(self) -> Self:
        unknown = set(self.config) - VARIANT_CONFIG_KEYS
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}")
        return self


class ExperimentCreate(_Strict):
    """An A/B experiment on a project: split its incoming tasks or its workers between variants."""

    name: str = Field(min_length=1, max_length=200)
    unit: Literal["tasks", "workers"] = "tasks"
    factor: Literal["guidelines", "pay", "template", "qc_policy"]
    variants: list[VariantIn] = Field(min_length=2, max_length=2)

    @model_validator(mode="after")
    def _one_control(self) -> Self:
        if sum(v.is_control for v in self.variants) != 1:
            raise ValueError("exactly one variant must be the control (is_control: true)")
        if len({v.name for v in self.variants}) != len(self.variants):
            raise ValueError("variant names must differ")
        return self


class SeedReviewErrors(_Strict):
    """Plant known errors (copies of gold tasks with a wrong answer) in a review queue."""

    count: int = Field(default=5, ge=1, le=200)
    stage: int = Field(default=0, ge=0, le=4)
