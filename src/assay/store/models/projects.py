"""Projects, their versioned guidelines, and batches of tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.store.base import Base, utcnow


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GuidelineVersion(Base):
    """One immutable version of a project's guidelines: goal and principles first, examples second."""

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


class Batch(Base):
    """Tasks submitted together."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
