"""Recording quality actions: one ``quality_actions`` row and one audit event per change."""

from __future__ import annotations

from typing import Any

from assay.store import Session
from assay.store import quality_ops as store
from assay.store.audit import insert_audit_event
from assay.store.models import Project
from assay.store.models.quality_ops import QualityAction

SYSTEM_ACTOR = "system:quality"


def record_action(
    session: Session,
    project: Project,
    *,
    kind: str,
    target_type: str,
    target_id: str,
    reason: str,
    details: dict[str, Any] | None = None,
    actor: str = SYSTEM_ACTOR,
    signal_id: str | None = None,
    alarm_id: str | None = None,
) -> QualityAction:
    """Store what was done (with the state needed to undo it) and log it; flushes only."""
    action = store.insert_action(
        session,
        QualityAction(
            org_id=project.org_id,
            project_id=project.id,
            kind=kind,
            target_type=target_type,
            target_id=target_id,
            reason=reason[:2000],
            details=details or {},
            actor=actor,
            automatic=actor == SYSTEM_ACTOR,
            signal_id=signal_id,
            alarm_id=alarm_id,
        ),
    )
    insert_audit_event(
        session,
        org_id=project.org_id,
        actor=actor,
        action=f"quality.{kind}",
        object_type=target_type,
        object_id=target_id,
        after={"action_id": action.id, "reason": reason[:500], "project_id": project.id},
    )
    return action
