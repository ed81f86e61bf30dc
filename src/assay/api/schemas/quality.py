"""What the API answers about quality operations and experiments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class QualitySettingsPublic(BaseModel):
    """A project's delivery target, response cap, policy rules and settings."""

    project_id: str
    quality_target: float | None
    max_responses: int | None
    rules: list[dict[str, Any]]
    settings: dict[str, Any]


class RecomputePublic(BaseModel):
    """What one recompute found and did."""

    responses: int
    workers_scored: int
    new_flags: int
    actions: list[str]
    alarms: int
    results_updated: int
    delivered_kept: int = Field(
        default=0, description="Delivered results left as delivered, the re-score kept beside."
    )
    delivered_differing: int = Field(
        default=0, description="Of those, how many would now be answered otherwise (flagged)."
    )
    gates: dict[str, int]
    calibration_samples: int


class SignalPublic(_FromRow):
    """A detector's verdict with its evidence."""

    id: str
    project_id: str
    kind: str
    subject_type: str
    subject_id: str
    worker_id: str | None
    other_worker_id: str | None
    score: float
    flagged: bool
    threshold: float
    evidence: dict[str, Any]
    status: str
    reviewed_by: str | None
    updated_at: datetime


class ActionPublic(_FromRow):
    """Something quality operations did, and whether it was reverted."""

    id: str
    project_id: str
    kind: str
    target_type: str
    target_id: str
    signal_id: str | None
    alarm_id: str | None
    reason: str
    details: dict[str, Any]
    actor: str
    automatic: bool
    created_at: datetime
    reverted_at: datetime | None
    reverted_by: str | None
    revert_reason: str


class EstimatePublic(_FromRow):
    """A worker's estimated quality on a skill from one source, with its interval."""

    worker_id: str
    skill: str
    source: str
    mean: float
    low: float
    high: float
    n: float
    updated_at: datetime


class GatePublic(BaseModel):
    """Why a task is (not yet) delivered."""

    task_id: str
    status: str = Field(
        description="no_gate, collecting, waiting_review, calibrating, buying, escalated, requeued"
        " or released."
    )
    target: float | None
    confidence: float | None
    raw_confidence: float | None
    extra_responses: int
    responses: int
    reasons: list[str]


class AlarmPublic(_FromRow):
    """A process-control alarm."""

    id: str
    project_id: str
    scope: str
    subject_id: str
    metric: str
    method: str
    statistic: float
    threshold: float
    evidence: dict[str, Any]
    status: str
    created_at: datetime
    resolved_at: datetime | None


class NoteIn(BaseModel):
    """A reason or note kept in the audit log."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000)


class ActionIn(BaseModel):
    """An action to apply by hand to a signal's subject."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=32)


class ReleaseIn(BaseModel):
    """An expert's decision on a held task: deliver it, optionally with their answer."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000)
    answer: dict[str, Any] | None = None


class RotateGoldIn(BaseModel):
    """Retire the gold written before a guideline version was published."""

    model_config = ConfigDict(extra="forbid")

    created_before_version: int = Field(ge=1)


class GoldPublic(BaseModel):
    """A gold task's lifecycle state, use and leak score."""

    task_id: str
    unique_id: str
    status: str
    answered: int
    accuracy: float | None
    leak_score: float | None
    leak_flagged: bool


class SeriesPointPublic(BaseModel):
    """One period of a dashboard series, with its band."""

    period: str
    value: float | None
    low: float | None
    high: float | None
    n: int


class DashboardPublic(BaseModel):
    """Quality over time: each metric as a series by day or week."""

    period: str
    series: dict[str, list[SeriesPointPublic]]
    summary: dict[str, Any]


class ExperimentPublic(_FromRow):
    """An A/B experiment."""

    id: str
    project_id: str
    name: str
    unit: str
    factor: str
    status: str
    winner_variant_id: str | None
    created_at: datetime
    stopped_at: datetime | None


class PromoteIn(BaseModel):
    """Which variant to make the project's."""

    model_config = ConfigDict(extra="forbid")

    variant: str = Field(min_length=1, max_length=64)
