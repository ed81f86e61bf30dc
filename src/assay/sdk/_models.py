"""What the SDK returns: typed copies of the REST API's answers (unknown fields are ignored).

These mirror the server's JSON on purpose instead of importing server code, so the SDK installs
and runs anywhere with only httpx and pydantic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    # New server fields must not break old clients.
    model_config = ConfigDict(extra="ignore")


class Project(_Answer):
    """A project as its requester sees it."""

    id: str
    name: str
    description: str = ""
    template: dict[str, Any]
    redundancy: int
    required_skills: list[str] = []
    required_locales: list[str] = []
    gold_rate: float = 0.0
    pay_per_task_cents: int = 0
    time_estimate_seconds: int = 60
    lease_seconds: int = 900
    callback_url: str | None = None
    webhook_secret: str | None = None
    review_policy: dict[str, Any] = {}
    guideline_version: int = 0
    status: str
    created_at: datetime
    updated_at: datetime


class ProjectSummary(Project):
    """A project with how many of its tasks are in each state."""

    task_counts: dict[str, int] = {}


class Guidelines(_Answer):
    """One published guideline version."""

    version: int
    goal: str = ""
    principles: list[str] = []
    examples: list[dict[str, Any]] = []
    body: str = ""
    created_at: datetime | None = None


class Batch(_Answer):
    """A named group of tasks submitted together."""

    id: str
    project_id: str
    name: str
    status: str
    created_at: datetime


class ImportReport(_Answer):
    """The outcome of a bulk submission: one task id per item, in the order sent."""

    batch_id: str | None = None
    created: int = Field(description="Tasks stored by this submission.")
    existing: int = Field(description="Items whose unique_id was already stored.")
    task_ids: list[str] = []


class Task(_Answer):
    """A task as its requester sees it."""

    id: str
    project_id: str
    batch_id: str | None = None
    unique_id: str
    payload: dict[str, Any]
    metadata: dict[str, Any] = {}
    priority: int = 0
    state: str
    is_gold: bool = False
    gold_answer: dict[str, Any] | None = None
    redundancy: int
    response_count: int = 0
    created_at: datetime
    completed_at: datetime | None = None


class Review(_Answer):
    """One step of a response's review chain."""

    id: str
    reviewer_id: str
    stage: str
    verdict: str
    reason: str = ""
    score: float | None = None
    created_at: datetime


class Response(_Answer):
    """A worker's submitted answer with its provenance."""

    id: str
    task_id: str
    assignment_id: str
    worker_id: str
    answer: dict[str, Any]
    guideline_version: int
    model_suggestion: dict[str, Any] | None = None
    active_time_ms: int | None = None
    telemetry: dict[str, Any] = {}
    status: str
    gold_correct: bool | None = None
    created_at: datetime
    reviews: list[Review] = []


class Result(_Answer):
    """A task's delivered answer, its confidence, and the responses it came from."""

    task_id: str
    answer: dict[str, Any]
    confidence: float | None = None
    details: dict[str, Any] = {}
    method: str
    method_version: str = ""
    response_ids: list[str] = []
    created_at: datetime
    delivered_at: datetime | None = None


class TaskDetail(Task):
    """A task with its responses and result."""

    responses: list[Response] = []
    result: Result | None = None


class WorkerTask(_Answer):
    """The task as a worker sees it: the payload only."""

    id: str
    payload: dict[str, Any]


class WorkerProject(_Answer):
    """What a worker needs to know about the task's project."""

    id: str
    name: str
    template: dict[str, Any]
    time_estimate_seconds: int = 60
    pay_per_task_cents: int = 0


class WorkerGuidelines(_Answer):
    """The guideline version the worker works under."""

    version: int
    goal: str = ""
    principles: list[str] = []
    examples: list[dict[str, Any]] = []
    body: str = ""


class Assignment(_Answer):
    """A worker's lease on a task: answer it with ``Client.submit`` before ``expires_at``."""

    id: str
    status: str
    expires_at: datetime
    task: WorkerTask
    project: WorkerProject
    guidelines: WorkerGuidelines | None = None
    draft: dict[str, Any] | None = None


class Submission(_Answer):
    """A stored response; ``replayed`` is true when a retried submit found the earlier one."""

    response_id: str
    task_id: str
    replayed: bool = False


class Lease(_Answer):
    """An assignment's state after a heartbeat or release."""

    id: str
    status: str
    expires_at: datetime


class Media(_Answer):
    """An uploaded file; put ``reference`` into task payloads to show it to workers."""

    id: str
    reference: str
    filename: str | None = None
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


class AuditEvent(_Answer):
    """Who changed what, when."""

    id: int
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    created_at: datetime


class TaskInput(BaseModel):
    """One task to submit; plain dicts with the same keys work too."""

    model_config = ConfigDict(extra="forbid")

    unique_id: str = Field(description="Your id for the task; resubmitting it is harmless.")
    payload: dict[str, Any]
    priority: int = 0
    metadata: dict[str, Any] = {}
    gold_answer: dict[str, Any] | None = Field(
        default=None, description="Makes the task a gold task; never shown to workers."
    )
