"""What a requester sends to create or change a project, validated before anything is stored."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, field_validator

from assay.domain.template import Template

# BCP 47 language tags as people write them: language, optional script, optional region/variant
# (es-AR, pt-BR, zh-Hant-TW, sr-Latn, yue, fil-PH); enough to express any of 50+ languages.
BCP47_PATTERN = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$"
Locale = Annotated[str, StringConstraints(pattern=BCP47_PATTERN, max_length=35)]
# Skills are dotted paths such as coding.python or law.finance; a requirement may add a minimum
# level: coding.python:expert.
SKILL_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"
Skill = Annotated[str, StringConstraints(pattern=SKILL_PATTERN, max_length=100)]
SkillRequirement = Annotated[
    str,
    StringConstraints(
        pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*(:(novice|intermediate|advanced|expert))?$",
        max_length=120,
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GuidelineExample(_Strict):
    """A worked example: what the worker sees, the right answer, and why."""

    title: str = Field(default="", max_length=200)
    input: dict[str, Any] = Field(default_factory=dict)
    answer: dict[str, Any] = Field(default_factory=dict)
    explanation: str = Field(default="", max_length=20_000)


class GuidelinesIn(_Strict):
    """Guidelines lead with the goal and principles; examples come second."""

    goal: str = Field(default="", max_length=5_000, description="What the data is for.")
    principles: list[Annotated[str, StringConstraints(max_length=2_000)]] = Field(
        default_factory=list, max_length=100
    )
    examples: list[GuidelineExample] = Field(default_factory=list, max_length=200)
    body: str = Field(default="", max_length=200_000, description="Full text, markdown.")


class ReviewStage(_Strict):
    """One review stage: e.g. review every response, or spot-check 10%."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
    sample_rate: float = Field(default=1.0, gt=0.0, le=1.0)
    on_reject: Literal["rework", "reassign"] = "rework"


class ReviewPolicy(_Strict):
    """The stages a response passes after it is submitted (empty: no review)."""

    stages: list[ReviewStage] = Field(default_factory=list, max_length=5)


class ProjectSettings(_Strict):
    """The fields a project shares between create and update."""

    description: str = Field(default="", max_length=20_000)
    redundancy: int = Field(default=1, ge=1, le=100, description="Responses wanted per task.")
    required_skills: list[SkillRequirement] = Field(default_factory=list, max_length=20)
    required_locales: list[Locale] = Field(default_factory=list, max_length=50)
    gold_rate: float = Field(default=0.0, ge=0.0, lt=1.0, description="Share of gold tasks.")
    pay_per_task_cents: int = Field(default=0, ge=0, le=1_000_000)
    time_estimate_seconds: int = Field(default=60, ge=1, le=7 * 24 * 3600)
    lease_seconds: int = Field(default=900, ge=30, le=7 * 24 * 3600)
    callback_url: HttpUrl | None = None
    review_policy: ReviewPolicy = Field(default_factory=ReviewPolicy)

    @field_validator("required_skills", "required_locales")
    @classmethod
    def _no_duplicates(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("must not repeat an entry")
        return values


class ProjectCreate(ProjectSettings):
    """A new project: its template, guidelines and how the work is staffed, checked and paid."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    template: Template
    guidelines: GuidelinesIn = Field(default_factory=GuidelinesIn)


class ProjectUpdate(_Strict):
    """A partial change; omitted fields keep their value. The template cannot change."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    description: str | None = Field(default=None, max_length=20_000)
    redundancy: int | None = Field(default=None, ge=1, le=100)
    required_skills: list[SkillRequirement] | None = None
    required_locales: list[Locale] | None = None
    gold_rate: float | None = Field(default=None, ge=0.0, lt=1.0)
    pay_per_task_cents: int | None = Field(default=None, ge=0, le=1_000_000)
    time_estimate_seconds: int | None = Field(default=None, ge=1, le=7 * 24 * 3600)
    lease_seconds: int | None = Field(default=None, ge=30, le=7 * 24 * 3600)
    callback_url: HttpUrl | None = None
    review_policy: ReviewPolicy | None = None
    status: Literal["active", "paused", "archived"] | None = None
