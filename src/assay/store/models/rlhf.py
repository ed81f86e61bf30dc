"""Model endpoints and what the platform does with them: generations, side orders, chat trees."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.store.base import Base, JSONValue, utcnow


class ModelEndpoint(Base):
    """A model an organisation registered: an OpenAI-compatible endpoint or the demo model.

    The API key is kept only as a Fernet token (``api_key_encrypted``) made with the server's
    secret key; no route, export or audit entry ever carries it.
    """

    __tablename__ = "model_endpoints"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    model: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=60.0)
    max_retries: Mapped[int] = mapped_column(Integer, default=3)
    rate_limit_per_minute: Mapped[float | None] = mapped_column(Float, default=None)
    api_key_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    # active | archived (archived endpoints are kept for provenance but take no new work).
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProjectModelSetup(Base):
    """How a project uses model endpoints: ``comparison``, ``chat`` or ``rubric_eval``."""

    __tablename__ = "project_model_setups"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    mode: Mapped[str] = mapped_column(String(16))
    endpoint_ids: Mapped[list[Any]] = mapped_column(default=list)
    # Payload keys: the prompt (a chat field) and the responses (a model_responses field).
    prompt_key: Mapped[str] = mapped_column(String(200), default="conversation")
    responses_key: Mapped[str] = mapped_column(String(200), default="responses")
    system_prompt: Mapped[str] = mapped_column(Text, default="")
    # Sampling parameters sent with every generation, over the endpoints' own defaults.
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    randomise_sides: Mapped[bool] = mapped_column(Boolean, default=True)
    # Job attempts per generation before it is marked failed (the requester can retry it).
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    # Mode-specific settings, e.g. {"pass_threshold": 0.7} for rubric evaluations.
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvalItem(Base):
    """One item of a rubric evaluation: a prompt and its own rubric (criteria with points)."""

    __tablename__ = "eval_items"
    __table_args__ = (UniqueConstraint("project_id", "unique_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    unique_id: Mapped[str] = mapped_column(String(200))
    messages: Mapped[list[Any]]
    # [{"id", "description", "points", "must_have"}], as a rubric question's criteria.
    rubric: Mapped[list[Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelVariant(Base):
    """One configuration of an endpoint that answered in a project; append-only.

    A row appears the first time an endpoint answers a project's prompts under settings that
    shape its output (kind, base URL, model, sampling parameters, system prompt). Rows are
    never updated or deleted (database triggers refuse it), so a leaderboard lists every
    variant ever submitted to it, including ones later edited or archived.
    """

    __tablename__ = "model_variants"
    __table_args__ = (UniqueConstraint("project_id", "endpoint_id", "config_hash"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("model_endpoints.id"))
    # SHA-256 of the canonical JSON of the output-shaping settings below.
    config_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Generation(Base):
    """One model's answer to one prompt: of a comparison task, or of a rubric evaluation item.

    ``response_id`` is the opaque id workers see in place of the model's identity.
    """

    __tablename__ = "generations"
    __table_args__ = (
        UniqueConstraint("task_id", "endpoint_id"),
        UniqueConstraint("eval_item_id", "endpoint_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    task_id: Mapped[str | None] = mapped_column(ForeignKey("tasks.id"), default=None)
    eval_item_id: Mapped[str | None] = mapped_column(ForeignKey("eval_items.id"), default=None)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("model_endpoints.id"))
    response_id: Mapped[str] = mapped_column(String(32))
    # Where the response sits in the task's payload (0 is "A" in the requester's view).
    position: Mapped[int] = mapped_column(Integer, default=0)
    # pending | done | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    content: Mapped[str | None] = mapped_column(Text, default=None)
    finish_reason: Mapped[str] = mapped_column(String(32), default="")
    latency_ms: Mapped[float | None] = mapped_column(Float, default=None)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    # The endpoint configuration that answered (set with the content).
    variant_id: Mapped[str | None] = mapped_column(ForeignKey("model_variants.id"), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


Index("ix_generations_project_status", Generation.project_id, Generation.status)


class ComparisonSides(Base):
    """The order one worker was shown a task's responses in, and what their choice meant.

    ``shown_ids`` lists response ids left (A) first. At submit the worker's answer, kept in
    ``shown_answer``, is mapped to the task's own order; ``chosen_id``/``rejected_id`` name the
    responses it preferred and passed over (both None for a tie).
    """

    __tablename__ = "comparison_sides"

    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    shown_ids: Mapped[list[Any]]
    shown_answer: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    chosen_id: Mapped[str | None] = mapped_column(String(32), default=None)
    rejected_id: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChatConversation(Base):
    """A worker's live conversation with models; its turns form a tree of ``ChatNode``."""

    __tablename__ = "chat_conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(ForeignKey("tasks.id"), default=None)
    system_prompt: Mapped[str] = mapped_column(Text, default="")
    # open | finished
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ChatNode(Base):
    """One message of a chat tree: a worker's turn, a model's candidate reply, or a rewrite.

    A user node's children are the candidate replies shown side by side (``position`` 0 is
    "A"); the one the worker picked is ``chosen``. A rewrite is a worker-authored assistant
    node (``rewritten``) that names the candidate it replaced in ``rewrite_of`` and is the
    chosen one; the conversation continues under the chosen reply.
    """

    __tablename__ = "chat_nodes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("chat_conversations.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("chat_nodes.id"), default=None)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    # worker | model; author_id is the worker's or the model endpoint's id.
    author_kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    rewritten: Mapped[bool] = mapped_column(Boolean, default=False)
    rewrite_of: Mapped[str | None] = mapped_column(String(32), default=None)
    strength: Mapped[int | None] = mapped_column(Integer, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    latency_ms: Mapped[float | None] = mapped_column(Float, default=None)
    # For a model's candidate: the endpoint configuration that wrote it.
    variant_id: Mapped[str | None] = mapped_column(ForeignKey("model_variants.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
