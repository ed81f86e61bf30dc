"""API keys of the caller's organisation (admin keys only)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from assay.api.deps import ActorDep, SessionDep
from assay.services import keys as service

router = APIRouter(prefix="/v1/keys", tags=["keys"])


class KeyPublic(BaseModel):
    """A key as listed: never the secret."""

    id: str
    role: str
    name: str
    prefix: str
    worker_id: str | None
    created_at: datetime
    revoked_at: datetime | None


@router.get("", response_model=list[KeyPublic])
def list_keys(actor: ActorDep, session: SessionDep) -> list[KeyPublic]:
    """List the organisation's keys."""
    return [KeyPublic(**vars(k)) for k in service.list_api_keys(session, actor)]


@router.post("/{key_id}/revoke", response_model=KeyPublic)
def revoke_key(key_id: str, actor: ActorDep, session: SessionDep) -> KeyPublic:
    """Revoke a key: it stops working immediately."""
    return KeyPublic(**vars(service.revoke_api_key(session, actor, key_id)))
