"""What the API answers about tasks, responses and results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ImportReportPublic(BaseModel):
    """The outcome of a bulk import."""

    batch_id: str | None
    created: int = Field(description="Tasks stored by this request.")
    existing: int = Field(description="Items whose unique_id already existed (not stored again).")
    task_ids: list[str] = Field(description="The task id of each item, in the request's order.")


class TaskPublic(_FromRow):
    """A task as its requester sees it (gold answers included: requesters own them)."""

    id: str
    project_id: str
    batch_id: str | None
    unique_id: str
    payload: dict[str, Any]
    metadata: dict[str, Any] = Field(validation_alias="metadata_")
    priority: int
    state: str
    is_gold: bool
    gold_answer: dict[str, Any] | None
    redundancy: int
    response_count: int
    created_at: datetime
    completed_at: datetime | None


class ReviewPublic(_FromRow):
    """One step of a response's review chain."""

    id: str
    reviewer_id: str
    stage: str
    verdict: str
    reason: str
    score: float | None
    created_at: datetime


class ResponsePublic(_FromRow):
    """A submitted response with its provenance."""

    id: str
    task_id: str
    assignment_id: str
    worker_id: str
    answer: dict[str, Any]
    guideline_version: int
    model_suggestion: dict[str, Any] | None
    active_time_ms: int | None
    telemetry: dict[str, Any]
    status: str
    gold_correct: bool | None
    created_at: datetime
    reviews: list[ReviewPublic] = []


class ResultPublic(_FromRow):
    """A task's result and how it was reached."""

    task_id: str
    answer: dict[str, Any]
    confidence: float | None
    details: dict[str, Any]
    method: str
    method_version: str
    response_ids: list[str]
    created_at: datetime
    delivered_at: datetime | None


class TaskDetail(TaskPublic):
    """A task with its responses and result."""

    responses: list[ResponsePublic] = []
    result: ResultPublic | None = None


class PriorityChange(BaseModel):
    """A new priority (higher is served first)."""

    model_config = ConfigDict(extra="forbid")

    priority: int = Field(ge=-1_000_000, le=1_000_000)
