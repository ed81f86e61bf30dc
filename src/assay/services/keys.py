"""API keys: creation (shown once), authentication, listing and revocation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from assay.domain.enums import Role
from assay.errors import InvalidInput, NotFound, Unauthenticated
from assay.services.actor import Actor
from assay.store import Session
from assay.store import organisations as store
from assay.store.audit import insert_audit_event
from assay.store.models import ApiKey

KEY_PREFIX = "assay_"


@dataclass(frozen=True)
class KeyView:
    """What may be shown about a key after creation (never the key itself)."""

    id: str
    org_id: str
    role: str
    name: str
    prefix: str
    worker_id: str | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class CreatedKey:
    """A freshly created key: ``secret`` is the only time the plaintext exists."""

    key: KeyView
    secret: str


def hash_key(secret: str) -> str:
    """Hash a key: 256 random bits need one SHA-256, not a slow password hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _view(key: ApiKey) -> KeyView:
    return KeyView(
        id=key.id,
        org_id=key.org_id,
        role=key.role,
        name=key.name,
        prefix=key.key_prefix,
        worker_id=key.worker_id,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


def create_api_key(
    session: Session, *, org_name: str, role: str, name: str = "", worker_handle: str | None = None
) -> CreatedKey:
    """Create a key (and the organisation, and for worker roles the worker) if needed; commits."""
    try:
        parsed_role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"Unknown role {role!r}; choose one of: {allowed}.") from None
    if not org_name.strip():
        raise InvalidInput("The organisation name must not be empty.")
    organisation = store.get_organisation_by_name(session, org_name)
    if organisation is None:
        organisation = store.insert_organisation(session, org_name)
    worker_id = None
    if parsed_role in (Role.WORKER, Role.REVIEWER):
        handle = worker_handle or name or f"{parsed_role.value}-{secrets.token_hex(3)}"
        worker = store.get_worker_by_handle(session, organisation.id, handle)
        if worker is None:
            worker = store.insert_worker(session, org_id=organisation.id, handle=handle)
        worker_id = worker.id
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = store.insert_api_key(
        session,
        org_id=organisation.id,
        role=parsed_role.value,
        name=name,
        key_hash=hash_key(secret),
        key_prefix=secret[: len(KEY_PREFIX) + 6],
        worker_id=worker_id,
    )
    insert_audit_event(
        session,
        org_id=organisation.id,
        actor="cli",
        action="key.create",
        object_type="api_key",
        object_id=key.id,
        after={"role": key.role, "name": name, "worker_id": worker_id},
    )
    session.commit()
    return CreatedKey(key=_view(key), secret=secret)


def authenticate(session: Session, secret: str) -> Actor:
    """The actor behind a bearer key, or Unauthenticated."""
    if not secret.startswith(KEY_PREFIX):
        raise Unauthenticated("That is not an Assay API key (they start with 'assay_').")
    key = store.get_key_holder(session, hash_key(secret))
    if key is None:
        raise Unauthenticated("Unknown or revoked API key.")
    return Actor(org_id=key.org_id, role=Role(key.role), key_id=key.id, worker_id=key.worker_id)


def list_api_keys(session: Session, actor: Actor) -> list[KeyView]:
    """The organisation's keys (admin only)."""
    actor.require(Role.ADMIN)
    return [_view(k) for k in store.list_api_keys(session, actor.org_id)]


def revoke_api_key(session: Session, actor: Actor, key_id: str) -> KeyView:
    """Revoke a key of the actor's organisation (admin only); commits."""
    actor.require(Role.ADMIN)
    key = store.get_api_key(session, actor.org_id, key_id)
    if key is None:
        raise NotFound(f"No API key {key_id!r} in this organisation.")
    if key.revoked_at is None:
        store.revoke_api_key(key)
        insert_audit_event(
            session,
            org_id=actor.org_id,
            actor=actor.label,
            action="key.revoke",
            object_type="api_key",
            object_id=key.id,
        )
    session.commit()
    return _view(key)


def organisation_id(session: Session, org_name: str) -> str:
    """The id of the organisation called ``org_name``."""
    organisation = store.get_organisation_by_name(session, org_name)
    if organisation is None:
        raise NotFound(f"No organisation called {org_name!r}.")
    return organisation.id
