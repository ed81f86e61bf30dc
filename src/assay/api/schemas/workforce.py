"""What the API answers about workers, qualification tests, reviews, earnings and questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WorkerPublic(_FromRow):
    """A worker's profile."""

    id: str
    handle: str
    display_name: str
    status: str
    locales: list[str]
    skills: dict[str, str]
    credentials: list[dict[str, Any]]
    timezone: str
    created_at: datetime


class RosterRowPublic(BaseModel):
    """A worker with last week's activity."""

    worker: WorkerPublic
    responses_7d: int
    last_active_at: datetime | None
    gold_answered: int
    gold_accuracy: float | None


class QualificationStatusPublic(BaseModel):
    """A worker's progress on a qualification test."""

    project_id: str
    name: str
    skill: str
    level: str
    answered: int
    correct: int
    required: int
    min_accuracy: float
    passed: bool | None


class GoldMissPublic(BaseModel):
    """A gold task the worker got wrong, with the expected answer and the guideline."""

    task_id: str
    project_id: str
    payload: dict[str, Any]
    your_answer: dict[str, Any]
    expected_answer: dict[str, Any]
    guideline_version: int
    guideline_goal: str
    guideline_principles: list[str]
    answered_at: datetime


class EarningsRowPublic(BaseModel):
    """Pay for one period, or one worker in a payment report."""

    key: str
    tasks: int
    pay_cents: int
    active_seconds: int
    per_hour_cents: int | None


class ReviewItemPublic(BaseModel):
    """A response waiting for the reviewer's verdict."""

    response_id: str
    task_id: str
    project_id: str
    stage: str
    worker_id: str
    answer: dict[str, Any]
    payload: dict[str, Any]
    template: dict[str, Any]
    active_time_ms: int | None


class ReviewPublic(_FromRow):
    """A stored verdict."""

    id: str
    response_id: str
    stage: str
    verdict: str
    reason: str
    score: float | None
    created_at: datetime


class GuidelineQuestionPublic(_FromRow):
    """A question on the guidelines and, once given, the lead's answer."""

    id: str
    project_id: str
    guideline_version: int
    question: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None


class DayCount(BaseModel):
    """Responses on one day (UTC)."""

    day: str
    responses: int


class ProgressPublic(BaseModel):
    """Where a project's work stands."""

    tasks_by_state: dict[str, int]
    responses_by_status: dict[str, int]
    in_review: int
    throughput: list[DayCount]


class ReworkPublic(_FromRow):
    """An assignment sent back to its author."""

    id: str
    task_id: str
    project_id: str
    rework_reason: str | None
    rework_count: int
    expires_at: datetime
