"""Queries for organisations, API keys and workers."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from assay.store.base import new_id, utcnow
from assay.store.models import ApiKey, Organisation, Worker


def get_organisation_by_name(session: Session, name: str) -> Organisation | None:
    """The organisation called ``name``, if any."""
    return session.scalar(select(Organisation).where(Organisation.name == name))


def insert_organisation(session: Session, name: str) -> Organisation:
    """A new organisation."""
    organisation = Organisation(id=new_id("org"), name=name)
    session.add(organisation)
    session.flush()
    return organisation


def insert_api_key(
    session: Session,
    *,
    org_id: str,
    role: str,
    name: str,
    key_hash: str,
    key_prefix: str,
    worker_id: str | None,
) -> ApiKey:
    """Store a key's hash."""
    key = ApiKey(
        id=new_id("key"),
        org_id=org_id,
        role=role,
        name=name,
        key_hash=key_hash,
        key_prefix=key_prefix,
        worker_id=worker_id,
    )
    session.add(key)
    session.flush()
    return key


class KeyHolder(NamedTuple):
    """Who a live key speaks for: what authenticating a request needs of it."""

    id: str
    org_id: str
    role: str
    worker_id: str | None


# Every request runs it: built once, and reading four columns rather than a whole ApiKey.
_LIVE_KEY = select(ApiKey.id, ApiKey.org_id, ApiKey.role, ApiKey.worker_id).where(
    ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None)
)


def get_key_holder(session: Session, key_hash: str) -> KeyHolder | None:
    """Who the live (unrevoked) key with this hash speaks for."""
    row = session.connection().execute(_LIVE_KEY, {"key_hash": key_hash}).first()
    return None if row is None else KeyHolder(*row)


def get_api_key(session: Session, org_id: str, key_id: str) -> ApiKey | None:
    """A key of this organisation."""
    return session.scalar(select(ApiKey).where(ApiKey.org_id == org_id, ApiKey.id == key_id))


def list_api_keys(session: Session, org_id: str) -> list[ApiKey]:
    """Every key of the organisation, newest first."""
    query = select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.created_at.desc())
    return list(session.scalars(query))


def revoke_api_key(key: ApiKey) -> None:
    """Mark a key revoked; it stops working at once."""
    key.revoked_at = utcnow()


def insert_worker(session: Session, *, org_id: str, handle: str) -> Worker:
    """A new active worker."""
    worker = Worker(id=new_id("wrk"), org_id=org_id, handle=handle, status="active")
    session.add(worker)
    session.flush()
    return worker


def get_worker(session: Session, org_id: str, worker_id: str) -> Worker | None:
    """A worker of this organisation."""
    return session.scalar(select(Worker).where(Worker.org_id == org_id, Worker.id == worker_id))


def get_worker_by_handle(session: Session, org_id: str, handle: str) -> Worker | None:
    """A worker by handle within the organisation."""
    return session.scalar(select(Worker).where(Worker.org_id == org_id, Worker.handle == handle))
