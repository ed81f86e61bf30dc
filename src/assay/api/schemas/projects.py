"""What the API answers about projects, guidelines and batches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProjectPublic(_FromRow):
    """A project as its requester sees it."""

    id: str
    name: str
    description: str
    template: dict[str, Any]
    redundancy: int
    required_skills: list[str]
    required_locales: list[str]
    gold_rate: float
    pay_per_task_cents: int
    time_estimate_seconds: int
    lease_seconds: int
    callback_url: str | None
    webhook_secret: str
    review_policy: dict[str, Any]
    guideline_version: int
    status: str
    created_at: datetime
    updated_at: datetime


class ProjectSummary(ProjectPublic):
    """A project with its task counts by state."""

    task_counts: dict[str, int] = {}


class GuidelinesPublic(_FromRow):
    """One guideline version."""

    version: int
    goal: str
    principles: list[str]
    examples: list[dict[str, Any]]
    body: str
    created_at: datetime


class BatchPublic(_FromRow):
    """A batch of tasks."""

    id: str
    project_id: str
    name: str
    status: str
    created_at: datetime
