"""Queries on the webhook outbox: enqueue, claim due deliveries under a lease, record outcomes.

The claim is one ``UPDATE ... RETURNING`` that stamps ``locked_until`` on the due rows it takes;
on PostgreSQL its sub-select uses ``FOR UPDATE SKIP LOCKED`` so concurrent dispatchers take
disjoint rows without waiting, and on SQLite the write lock (``BEGIN IMMEDIATE``) serialises
claims. The lease stamp doubles as a fencing token: an outcome is recorded only while the row
still carries the stamp of the claim that sent it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from assay.domain.enums import DeliveryStatus, TaskState
from assay.store.base import new_id
from assay.store.engine import backend_name
from assay.store.models import Project, Result, Task, WebhookDelivery


def _changed_one(result: Any) -> bool:
    return cast(CursorResult[Any], result).rowcount == 1


def new_delivery_id() -> str:
    """Make a delivery id (before the insert, so the payload can carry it)."""
    return new_id("dlv")


def insert_delivery(
    session: Session,
    *,
    delivery_id: str,
    org_id: str,
    project_id: str,
    task_id: str | None,
    event: str,
    url: str,
    payload: dict[str, Any],
    now: datetime,
) -> WebhookDelivery:
    """Put a delivery in the outbox, due now; flushed with the caller's transaction."""
    delivery = WebhookDelivery(
        id=delivery_id,
        org_id=org_id,
        project_id=project_id,
        task_id=task_id,
        event=event,
        url=url,
        payload=payload,
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def claim_due_deliveries(
    session: Session, *, now: datetime, locked_until: datetime, limit: int
) -> list[WebhookDelivery]:
    """Lease up to ``limit`` pending deliveries that are due and not leased by anyone else."""
    due = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if backend_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claim = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due.scalar_subquery()))
        .values(locked_until=locked_until)
        .returning(WebhookDelivery)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return list(session.scalars(claim))


def set_webhook_secret(session: Session, org_id: str, project_id: str, secret: str) -> bool:
    """Replace a project's signing secret; False if the organisation has no such project."""
    statement = (
        update(Project)
        .where(Project.org_id == org_id, Project.id == project_id)
        .values(webhook_secret=secret)
        .execution_options(synchronize_session=False)
    )
    return _changed_one(session.execute(statement))


def get_webhook_secrets(session: Session, project_ids: list[str]) -> dict[str, str]:
    """Map each project to its current signing secret (read at send time: rotation applies)."""
    rows = session.execute(
        select(Project.id, Project.webhook_secret).where(Project.id.in_(project_ids))
    )
    return {project_id: secret for project_id, secret in rows}


def _leased(delivery_id: str, lease: datetime) -> Any:
    return (
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
            WebhookDelivery.locked_until == lease,
        )
        .execution_options(synchronize_session=False)
    )


def record_delivery_success(
    session: Session, delivery_id: str, *, lease: datetime, status_code: int, now: datetime
) -> bool:
    """Mark a delivery acknowledged; False if the lease was lost (someone else owns it now)."""
    statement = _leased(delivery_id, lease).values(
        status=DeliveryStatus.DELIVERED.value,
        attempts=WebhookDelivery.attempts + 1,
        delivered_at=now,
        locked_until=None,
        last_status_code=status_code,
        last_error="",
    )
    return _changed_one(session.execute(statement))


def record_delivery_failure(
    session: Session,
    delivery_id: str,
    *,
    lease: datetime,
    status_code: int | None,
    error: str,
    next_attempt_at: datetime,
    dead: bool,
) -> bool:
    """Count a failed attempt and schedule the next (or give up); False if the lease was lost."""
    status = DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING
    statement = _leased(delivery_id, lease).values(
        status=status.value,
        attempts=WebhookDelivery.attempts + 1,
        next_attempt_at=next_attempt_at,
        locked_until=None,
        last_status_code=status_code,
        last_error=error,
    )
    return _changed_one(session.execute(statement))


def mark_result_delivered(session: Session, task_id: str, *, now: datetime) -> None:
    """Stamp a task's result as delivered and move the task from complete to delivered."""
    session.execute(
        update(Result)
        .where(Result.task_id == task_id)
        .values(delivered_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Task)
        .where(Task.id == task_id, Task.state == TaskState.COMPLETE.value)
        .values(state=TaskState.DELIVERED.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def get_delivery(session: Session, org_id: str, delivery_id: str) -> WebhookDelivery | None:
    """Find a delivery of this organisation."""
    return session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.org_id == org_id, WebhookDelivery.id == delivery_id
        )
    )


def list_deliveries(
    session: Session,
    org_id: str,
    project_id: str,
    *,
    status: str | None = None,
    before_id: str | None = None,
    limit: int = 100,
) -> list[WebhookDelivery]:
    """List a project's deliveries, newest first (keyset pagination on the id)."""
    query = select(WebhookDelivery).where(
        WebhookDelivery.org_id == org_id, WebhookDelivery.project_id == project_id
    )
    if status:
        query = query.where(WebhookDelivery.status == status)
    if before_id:
        query = query.where(WebhookDelivery.id < before_id)
    return list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


def reschedule_delivery(delivery: WebhookDelivery, *, now: datetime, reset_attempts: bool) -> None:
    """Make a delivery due again now (a manual retry).

    An unexpired lease is left alone: the attempt in flight finishes and records its outcome.
    """
    delivery.status = DeliveryStatus.PENDING.value
    delivery.next_attempt_at = now
    if reset_attempts:
        delivery.attempts = 0
