"""The work queue: claiming a task for a worker in one statement, and reaping expired leases.

See ``queue.md`` beside this file for why the claim looks the way it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, or_, select, update
from sqlalchemy.orm import Session

from assay.store.engine import backend_name
from assay.store.models import Assignment, Task


def claim_task(
    session: Session,
    *,
    project_ids: Sequence[str],
    worker_id: str,
    gold: bool,
    worker_accuracy: float | None = None,
) -> str | None:
    """Take one slot of the best open task the worker has never been given; its id or None.

    Regular tasks: the slot count drops by one in the same statement that picks the row, so a
    task is never leased to more workers than its redundancy. Gold tasks have no slot limit:
    every worker may meet each gold task once. A task whose extra slot the delivery gate bought
    for experts (``min_worker_accuracy``) goes only to workers whose ``worker_accuracy`` reaches it.
    """
    if not project_ids:
        return None
    already_given = (
        select(Assignment.id)
        .where(Assignment.task_id == Task.id, Assignment.worker_id == worker_id)
        .exists()
    )
    candidate = select(Task.id).where(
        Task.project_id.in_(list(project_ids)),
        Task.is_gold.is_(gold),
        Task.state == "open",
        ~already_given,
    )
    if not gold:
        expert_ok: ColumnElement[bool] = Task.min_worker_accuracy.is_(None)
        if worker_accuracy is not None:
            expert_ok = or_(expert_ok, Task.min_worker_accuracy <= worker_accuracy)
        candidate = candidate.where(Task.open_slots > 0, expert_ok)
    candidate = candidate.order_by(Task.priority.desc(), Task.id).limit(1)
    postgres = backend_name(session) == "postgresql"
    if postgres:
        candidate = candidate.with_for_update(skip_locked=True)
    if gold:
        return session.scalar(candidate)
    claim = (
        update(Task)
        .where(Task.id == candidate.scalar_subquery(), Task.open_slots > 0)
        .values(open_slots=Task.open_slots - 1)
        .returning(Task.id)
        .execution_options(synchronize_session=False)
    )
    return session.scalar(claim)


def reap_expired_leases(
    session: Session, *, project_ids: Sequence[str], now: datetime, limit: int = 200
) -> int:
    """Expire overdue leases and give their slots back to the pool; how many were reaped."""
    if not project_ids:
        return 0
    overdue = (
        select(Assignment.id, Assignment.task_id, Task.is_gold)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            Assignment.project_id.in_(list(project_ids)),
            Assignment.status == "active",
            Assignment.expires_at < now,
        )
        .limit(limit)
    )
    if backend_name(session) == "postgresql":
        overdue = overdue.with_for_update(of=Assignment, skip_locked=True)
    rows = session.execute(overdue).all()
    if not rows:
        return 0
    session.execute(
        update(Assignment)
        .where(Assignment.id.in_([row.id for row in rows]))
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    give_back = [{"b_task_id": row.task_id} for row in rows if not row.is_gold]
    if give_back:
        session.connection().execute(
            update(Task)
            .where(Task.id == bindparam("b_task_id"))
            .values(open_slots=Task.open_slots + 1),
            give_back,
        )
    return len(rows)


def return_slot(session: Session, task_id: str) -> None:
    """Give one lease slot back (a worker released or skipped the task)."""
    session.execute(
        update(Task)
        .where(Task.id == task_id, Task.is_gold.is_(False))
        .values(open_slots=Task.open_slots + 1)
        .execution_options(synchronize_session=False)
    )
