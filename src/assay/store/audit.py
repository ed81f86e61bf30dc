"""Writing to the append-only audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.store.models import AuditEvent


def insert_audit_event(
    session: Session,
    *,
    org_id: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record one change; flushed with the change itself so both commit or neither does."""
    session.add(
        AuditEvent(
            org_id=org_id,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
        )
    )


def insert_change_event(
    session: Session,
    *,
    org_id: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Record only the fields that changed between two snapshots (nothing when none did)."""
    changed = [key for key in after if before.get(key) != after[key]]
    if not changed:
        return
    insert_audit_event(
        session,
        org_id=org_id,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
    )


def list_audit_events(
    session: Session,
    org_id: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """Newest first, scoped to the organisation."""
    query = select(AuditEvent).where(AuditEvent.org_id == org_id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
