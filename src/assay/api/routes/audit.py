"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from assay.api.deps import ActorDep, SessionDep
from assay.services.audit import read_audit_log

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditEventPublic(BaseModel):
    """Who changed what, when."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


@router.get("", response_model=list[AuditEventPublic])
def list_audit_events(
    actor: ActorDep,
    session: SessionDep,
    object_type: Annotated[str | None, Query(max_length=32)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEventPublic]:
    """Audit events, newest first; page with `before` = the last id seen."""
    events = read_audit_log(
        session, actor, object_type=object_type, object_id=object_id, limit=limit, before_id=before
    )
    return [AuditEventPublic.model_validate(e) for e in events]
