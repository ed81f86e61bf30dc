"""Tasks: the unit of work, and the queue workers claim from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.store.base import Base, JSONValue, utcnow


class Task(Base):
    """One item to be judged; ``open_slots`` is how many more leases it may hand out.

    ``open_slots`` starts at the project's redundancy, drops by one per lease and comes back when
    a lease expires or is released; a submitted response consumes its slot for good. Keeping the
    count on the row makes the claim one indexed ``UPDATE`` (see ``store/queue.md``).
    """

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("project_id", "unique_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"), default=None, index=True)
    unique_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="open")
    is_gold: Mapped[bool] = mapped_column(Boolean, default=False)
    gold_answer: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    redundancy: Mapped[int] = mapped_column(Integer, default=1)
    open_slots: Mapped[int] = mapped_column(Integer, default=1)
    response_count: Mapped[int] = mapped_column(Integer, default=0)
    # Slots bought by the delivery gate go to workers at least this accurate (None: anyone).
    min_worker_accuracy: Mapped[float | None] = mapped_column(Float, default=None)
    # The A/B experiment variant the task was assigned to, if any.
    variant_id: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


# The claim reads this index only: open tasks of a project, best priority first, oldest first.
Index(
    "ix_tasks_queue",
    Task.project_id,
    Task.is_gold,
    Task.state,
    Task.priority.desc(),
    Task.id,
)
Index("ix_tasks_project_state", Task.project_id, Task.state)
