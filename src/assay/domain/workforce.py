"""What operations leads send to manage workers, qualification tests and reviews."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from assay.domain.project import Locale, Skill
from assay.domain.skills import LEVEL_NAMES
from assay.domain.task import TaskCreate
from assay.domain.template import Template

SkillLevelName = Literal["novice", "intermediate", "advanced", "expert"]
WorkerStatusName = Literal["applicant", "probation", "active", "paused", "removed"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Credential(_Strict):
    """A degree, licence or certificate a worker holds."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    issuer: str = Field(default="", max_length=200)
    year: int | None = Field(default=None, ge=1900, le=2100)
    verified: bool = False


class WorkerProfileUpdate(_Strict):
    """A partial change to a worker's profile; omitted fields keep their value."""

    display_name: str | None = Field(default=None, max_length=200)
    locales: list[Locale] | None = Field(default=None, max_length=60)
    skills: dict[Skill, SkillLevelName] | None = Field(
        default=None, description="Skill path -> level, e.g. {'coding.python': 'expert'}."
    )
    credentials: list[Credential] | None = Field(default=None, max_length=50)
    timezone: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$"
    )

    @field_validator("skills")
    @classmethod
    def _levels_known(cls, skills: dict[str, str] | None) -> dict[str, str] | None:
        if skills and any(level not in LEVEL_NAMES for level in skills.values()):
            raise ValueError(f"levels must be one of {', '.join(LEVEL_NAMES)}")
        return skills


class WorkerCreate(WorkerProfileUpdate):
    """A new worker in the organisation's pool."""

    handle: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[\w.@+-]+$")]
    status: WorkerStatusName = "applicant"


class WorkerStatusChange(_Strict):
    """Move a worker through applicant -> probation -> active, or pause/remove them."""

    status: WorkerStatusName
    reason: str = Field(default="", max_length=1000)


class QualificationCreate(_Strict):
    """A qualification test: gold tasks and a pass rule; passing grants ``skill`` at ``level``."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    skill: Skill
    level: SkillLevelName = "novice"
    min_accuracy: float = Field(default=0.8, gt=0.0, le=1.0)
    min_answers: int | None = Field(
        default=None, ge=1, description="How many tasks to answer (default: all of them)."
    )
    template: Template
    guidelines_goal: str = Field(default="", max_length=5000)
    tasks: list[TaskCreate] = Field(min_length=1, max_length=500)

    @field_validator("tasks")
    @classmethod
    def _all_gold(cls, tasks: list[TaskCreate]) -> list[TaskCreate]:
        missing = [t.unique_id for t in tasks if t.gold_answer is None]
        if missing:
            raise ValueError(
                f"every qualification task needs a gold_answer (missing: {missing[:5]})"
            )
        return tasks


class ReviewSubmit(_Strict):
    """A reviewer's verdict on one response."""

    verdict: Literal["accept", "reject"]
    reason: str = Field(default="", max_length=5000)
    edited_answer: dict[str, Any] | None = None
    rubric: dict[str, Any] | None = Field(
        default=None, description="Rubric grades by criterion id (for a rubric question)."
    )


class GuidelineQuestionIn(_Strict):
    """A worker's question about the guidelines."""

    text: Annotated[str, StringConstraints(min_length=3, max_length=5000, strip_whitespace=True)]


class GuidelineAnswerIn(_Strict):
    """The lead's answer, shown to every worker."""

    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000, strip_whitespace=True)]
