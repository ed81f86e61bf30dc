"""Background jobs (model calls, quality recomputation), claimed from the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assay.store.base import Base, utcnow


class Job(Base):
    """One unit of background work; written in the transaction that makes it necessary.

    Worker processes claim due jobs with ``FOR UPDATE SKIP LOCKED`` and a short ``locked_until``
    lease, so a crashed worker's job is picked up again when its lease lapses. ``dedupe_key``
    makes enqueueing idempotent (e.g. one pending recomputation per project).
    """

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


Index("ix_jobs_due", Job.status, Job.run_after)
