"""The workforce: profiles, status changes, and the roster with each worker's activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assay.domain.enums import Role
from assay.domain.workforce import WorkerCreate, WorkerProfileUpdate
from assay.errors import Conflict, NotFound
from assay.services.actor import Actor
from assay.store import Session
from assay.store import organisations as org_store
from assay.store import workforce as store
from assay.store.audit import insert_audit_event, insert_change_event
from assay.store.base import utcnow
from assay.store.models import Worker

_PROFILE_FIELDS = ("display_name", "locales", "skills", "credentials", "timezone")


@dataclass(frozen=True)
class RosterRow:
    """A worker and what they did in the last seven days."""

    worker: Worker
    responses_7d: int
    last_active_at: datetime | None
    gold_answered: int
    gold_accuracy: float | None


def _profile(worker: Worker) -> dict[str, Any]:
    return {name: getattr(worker, name) for name in (*_PROFILE_FIELDS, "status")}


def load_worker(session: Session, actor: Actor, worker_id: str) -> Worker:
    """A worker of the actor's organisation; workers may load only themselves."""
    if actor.role in (Role.WORKER, Role.REVIEWER) and actor.worker_id != worker_id:
        raise NotFound(f"No worker {worker_id!r} visible to this key.")
    worker = org_store.get_worker(session, actor.org_id, worker_id)
    if worker is None:
        raise NotFound(f"No worker {worker_id!r} in this organisation.")
    return worker


def create_worker(session: Session, actor: Actor, spec: WorkerCreate) -> Worker:
    """Add a worker to the pool (operations: requester or admin); commits."""
    actor.require(Role.REQUESTER)
    if org_store.get_worker_by_handle(session, actor.org_id, spec.handle) is not None:
        raise Conflict(f"A worker with handle {spec.handle!r} already exists.")
    worker = org_store.insert_worker(session, org_id=actor.org_id, handle=spec.handle)
    worker.status = spec.status
    _apply_profile(worker, spec)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="worker.create",
        object_type="worker",
        object_id=worker.id,
        after=_profile(worker),
    )
    session.commit()
    return worker


def _apply_profile(worker: Worker, change: WorkerProfileUpdate) -> None:
    values = change.model_dump(mode="json", exclude_unset=True, include=set(_PROFILE_FIELDS))
    for name, value in values.items():
        if value is not None:
            setattr(worker, name, value)


def get_worker_profile(session: Session, actor: Actor, worker_id: str) -> Worker:
    """A worker's profile (their own, or any for operations)."""
    return load_worker(session, actor, worker_id)


def update_worker_profile(
    session: Session, actor: Actor, worker_id: str, change: WorkerProfileUpdate
) -> Worker:
    """Change a profile (operations only: skills and credentials are vetted); commits."""
    actor.require(Role.REQUESTER)
    worker = load_worker(session, actor, worker_id)
    before = _profile(worker)
    _apply_profile(worker, change)
    after = _profile(worker)
    insert_change_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="worker.update",
        object_type="worker",
        object_id=worker.id,
        before=before,
        after=after,
    )
    session.commit()
    return worker


def set_worker_status(
    session: Session, actor: Actor, worker_id: str, status: str, reason: str = ""
) -> Worker:
    """Move a worker to ``status`` (recorded with the reason in the audit log); commits."""
    actor.require(Role.REQUESTER)
    worker = load_worker(session, actor, worker_id)
    if worker.status != status:
        insert_audit_event(
            session,
            org_id=actor.org_id,
            actor=actor.label,
            action="worker.status",
            object_type="worker",
            object_id=worker.id,
            before={"status": worker.status},
            after={"status": status, "reason": reason},
        )
        worker.status = status
    session.commit()
    return worker


def list_roster(session: Session, actor: Actor) -> list[RosterRow]:
    """Every worker with their last week's activity and gold accuracy."""
    actor.require(Role.REQUESTER)
    activity = store.worker_activity(session, actor.org_id, utcnow() - timedelta(days=7))
    rows = []
    for worker in store.list_workers(session, actor.org_id):
        seen = activity.get(worker.id)
        rows.append(
            RosterRow(
                worker=worker,
                responses_7d=seen.responses if seen else 0,
                last_active_at=seen.last_active_at if seen else None,
                gold_answered=seen.gold_answered if seen else 0,
                gold_accuracy=(seen.gold_correct / seen.gold_answered)
                if seen and seen.gold_answered
                else None,
            )
        )
    return rows
