"""What a worker sends and receives in the work loop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class NextRequest(BaseModel):
    """Ask for the next task, optionally from one project."""

    model_config = ConfigDict(extra="forbid")

    project_id: str | None = None


class WorkerTask(BaseModel):
    """The task as a worker sees it: payload only (no gold answer, no other responses)."""

    id: str
    payload: dict[str, Any]


class WorkerProject(BaseModel):
    """What a worker needs to know about the project."""

    id: str
    name: str
    template: dict[str, Any]
    time_estimate_seconds: int
    pay_per_task_cents: int


class WorkerGuidelines(BaseModel):
    """The guideline version the worker works under."""

    version: int
    goal: str
    principles: list[str]
    examples: list[dict[str, Any]]
    body: str


class AssignmentPublic(BaseModel):
    """A lease on a task."""

    id: str
    status: str
    expires_at: datetime
    task: WorkerTask
    project: WorkerProject
    guidelines: WorkerGuidelines | None
    draft: dict[str, Any] | None = None


class SubmitRequest(BaseModel):
    """A worker's answer: one value per question, plus how long it took."""

    model_config = ConfigDict(extra="forbid")

    answer: dict[str, Any]
    active_time_ms: int | None = Field(default=None, ge=0, le=30 * 24 * 3600 * 1000)
    telemetry: dict[str, Any] = Field(default_factory=dict)


class SubmitPublic(BaseModel):
    """The stored response (the same one when a submit is retried)."""

    response_id: str
    task_id: str
    replayed: bool


class HeartbeatRequest(BaseModel):
    """Keep the lease alive; optionally save a draft answer."""

    model_config = ConfigDict(extra="forbid")

    draft: dict[str, Any] | None = None


class ReleaseRequest(BaseModel):
    """Skip the task, with a reason."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=500)


class LeasePublic(BaseModel):
    """The lease's state after a heartbeat or release."""

    id: str
    status: str
    expires_at: datetime
