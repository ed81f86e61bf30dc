"""Assignments (leases), responses, reviews and results: the record of the work itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column

from assay.store.base import Base, JSONValue, utcnow


class Assignment(Base):
    """A worker's lease on a task; at most one per (task, worker), ever."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("task_id", "worker_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    leased_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    guideline_version: Mapped[int] = mapped_column(Integer, default=0)
    model_suggestion: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    # Set when a reviewer sent the work back to its author; cleared on the next submit.
    rework_reason: Mapped[str | None] = mapped_column(Text, default=None)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    # The experiment arm the lease was made under (None: no experiment ran). What the worker
    # was shown and is held to follows from it, for rework and review long after the lease.
    # A plain id rather than a foreign key: variants are never deleted, and SQLite cannot add
    # a constrained column to an existing table.
    variant_id: Mapped[str | None] = mapped_column(String(32), default=None)


# Expired leases are found by this index, so reaping never scans.
Index("ix_assignments_reap", Assignment.project_id, Assignment.status, Assignment.expires_at)
# A worker's assignments are looked up among their open leases only (the workbench's list,
# rework, the claim's rework check): a long-serving worker has thousands of others, which this
# index leaves out. Whether they ever held a given task is the (task, worker) unique index's
# to answer; with no index on the worker alone, no planner can read their whole history
# for it. The status is written into queries, not bound: neither database uses a partial
# index for a condition whose value it cannot see.
ACTIVE = Assignment.status == literal_column("'active'")
Index("ix_assignments_active", Assignment.worker_id, postgresql_where=ACTIVE, sqlite_where=ACTIVE)


class Response(Base):
    """A submitted answer with its provenance: guideline version, suggestion shown, timing."""

    __tablename__ = "responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    # Not unique: work sent back for rework is answered again under the same assignment.
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), index=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), index=True)
    answer: Mapped[dict[str, Any]]
    guideline_version: Mapped[int] = mapped_column(Integer, default=0)
    model_suggestion: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    active_time_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    telemetry: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # accepted | in_review | rejected | excluded
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    # Index of the review stage the response waits in (with status in_review).
    review_stage: Mapped[int] = mapped_column(Integer, default=0)
    # A reviewer's corrected answer; delivery uses it instead of ``answer`` when present.
    reviewed_answer: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    gold_correct: Mapped[bool | None] = mapped_column(default=None)
    pay_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    # A reviewer's short lease on the response, so two reviewers never judge it at once.
    review_claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    review_claimed_until: Mapped[datetime | None] = mapped_column(default=None)


Index("ix_responses_review_queue", Response.project_id, Response.status, Response.review_stage)
Index("ix_responses_worker_time", Response.worker_id, Response.created_at)


class Review(Base):
    """A reviewer's verdict on a response; a response's reviews form its review chain."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    stage: Mapped[str] = mapped_column(String(32), default="review")
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None] = mapped_column(Float, default=None)
    rubric: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    edited_answer: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Result(Base):
    """The answer delivered for a task, how it was reached, and from which responses."""

    __tablename__ = "results"

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    answer: Mapped[dict[str, Any]]
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    method: Mapped[str] = mapped_column(String(64))
    method_version: Mapped[str] = mapped_column(String(32))
    response_ids: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
