"""Projects, their versioned guidelines, and batches of tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.store.base import Base, JSONValue, utcnow


class Project(Base):
    """What is shown, what is asked, and how the work is staffed, checked and paid."""

    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[dict[str, Any]]
    redundancy: Mapped[int] = mapped_column(Integer, default=1)
    required_skills: Mapped[list[Any]] = mapped_column(default=list)
    required_locales: Mapped[list[Any]] = mapped_column(default=list)
    gold_rate: Mapped[float] = mapped_column(Float, default=0.0)
    pay_per_task_cents: Mapped[int] = mapped_column(Integer, default=0)
    time_estimate_seconds: Mapped[int] = mapped_column(Integer, default=60)
    lease_seconds: Mapped[int] = mapped_column(Integer, default=900)
    callback_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    webhook_secret: Mapped[str] = mapped_column(String(64))
    review_policy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    guideline_version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # "standard", or "qualification": a test made of gold tasks that grants a skill on passing.
    kind: Mapped[str] = mapped_column(String(16), default="standard")
    # For qualification tests: {"skill", "level", "min_accuracy", "min_answers"}.
    qualification: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    # Delivery gate: deliver a result only at this calibrated confidence (None: no gate), buying
    # responses up to ``max_responses`` per task (see services/delivery_gate.py).
    quality_target: Mapped[float | None] = mapped_column(Float, default=None)
    max_responses: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GuidelineVersion(Base):
    """One immutable version of a project's guidelines: goal and principles, then examples."""

    __tablename__ = "guideline_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    version: Mapped[int]
    goal: Mapped[str] = mapped_column(Text, default="")
    principles: Mapped[list[Any]] = mapped_column(default=list)
    examples: Mapped[list[Any]] = mapped_column(default=list)
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuidelineQuestion(Base):
    """A worker's question on the guidelines; the lead's answer is shown to every worker."""

    __tablename__ = "guideline_questions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    guideline_version: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    answered_by: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class Batch(Base):
    """Tasks submitted together."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
