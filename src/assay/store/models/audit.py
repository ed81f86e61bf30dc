"""The append-only audit log: who changed what, when (UPDATE and DELETE are refused by trigger)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from assay.store.base import Base, JSONValue, utcnow


class AuditEvent(Base):
    """One change: actor, action, the object, and its state before and after."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_audit_events_object", AuditEvent.org_id, AuditEvent.object_type, AuditEvent.object_id)
