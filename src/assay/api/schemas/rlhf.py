"""What the API answers about model endpoints, model projects, chats and rubric evaluations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EndpointPublic(_FromRow):
    """A model endpoint; its API key is never returned, only whether one is set."""

    id: str
    name: str
    kind: str
    base_url: str | None
    model: str
    params: dict[str, Any]
    timeout_seconds: float
    max_retries: int
    rate_limit_per_minute: float | None
    status: str
    has_api_key: bool
    created_at: datetime
    updated_at: datetime


class EndpointCheckPublic(BaseModel):
    """The outcome of a test request to an endpoint."""

    ok: bool
    latency_ms: float | None = None
    reply: str | None = None
    error: str | None = None


class ModelSetupPublic(_FromRow):
    """How a project uses model endpoints."""

    project_id: str
    mode: str
    endpoint_ids: list[str]
    system_prompt: str
    params: dict[str, Any]
    randomise_sides: bool
    max_attempts: int
    options: dict[str, Any]


class GenerationFailurePublic(_FromRow):
    """A model response that could not be generated, with its last error."""

    id: str
    task_id: str | None
    eval_item_id: str | None
    endpoint_id: str
    attempts: int
    error: str
    updated_at: datetime


class GenerationStatusPublic(BaseModel):
    """How far a project's model generations are."""

    counts: dict[str, int]
    failed: list[GenerationFailurePublic]


class RetryRequest(BaseModel):
    """Which generations to retry: every failed one, or those of some tasks."""

    model_config = ConfigDict(extra="forbid")

    task_ids: list[str] | None = Field(default=None, max_length=10_000)


class RetryPublic(BaseModel):
    """How many tasks or eval items were queued again."""

    queued: int


class ItemImportPublic(BaseModel):
    """The outcome of importing eval items."""

    created: int
    existing: int
    item_ids: list[str]


class ConversationPublic(_FromRow):
    """A live chat conversation."""

    id: str
    project_id: str
    worker_id: str
    task_id: str | None
    status: str
    created_at: datetime
    finished_at: datetime | None


class ChatNodePublic(BaseModel):
    """One message of a chat tree; ``endpoint_id`` is shown to requesters only."""

    id: str
    parent_id: str | None
    role: str
    content: str
    author: str
    endpoint_id: str | None = None
    position: int
    chosen: bool
    rewritten: bool
    rewrite_of: str | None
    strength: int | None
    reason: str
    created_at: datetime


class ChatTreePublic(BaseModel):
    """A conversation with every message, oldest first."""

    conversation: ConversationPublic
    nodes: list[ChatNodePublic]


class TurnPublic(BaseModel):
    """The worker's message and the candidate replies to choose from (A first)."""

    turn: ChatNodePublic
    candidates: list[ChatNodePublic]


class ModelScorePublic(BaseModel):
    """A model's mean rubric score with its 95% confidence interval."""

    endpoint_id: str
    endpoint_name: str
    items_graded: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    pass_rate: float | None


class ItemScorePublic(BaseModel):
    """One model's graded answer to one eval item."""

    eval_item_id: str
    unique_id: str
    endpoint_id: str
    score: float
    points: float
    max_points: float
    passed: bool
    criteria: dict[str, bool]


class RubricScoresPublic(BaseModel):
    """Scores of a rubric evaluation."""

    models: list[ModelScorePublic]
    items: list[ItemScorePublic]
    answers_pending: int
