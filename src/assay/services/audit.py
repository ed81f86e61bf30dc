"""Reading the audit log (writing happens inside each service's own transaction)."""

from __future__ import annotations

from assay.domain.enums import Role
from assay.services.actor import Actor
from assay.store import Session
from assay.store.audit import list_audit_events
from assay.store.models import AuditEvent


def read_audit_log(
    session: Session,
    actor: Actor,
    *,
    object_type: str | None,
    object_id: str | None,
    limit: int,
    before_id: int | None,
) -> list[AuditEvent]:
    """The organisation's audit events, newest first (requesters and admins)."""
    actor.require(Role.REQUESTER)
    return list_audit_events(
        session,
        actor.org_id,
        object_type=object_type,
        object_id=object_id,
        limit=limit,
        before_id=before_id,
    )
