"""Queries for background jobs: enqueue (deduplicated), claim due ones, finish or retry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.store.base import new_id
from assay.store.engine import backend_name
from assay.store.models import Job


def insert_job(
    session: Session,
    *,
    org_id: str,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str | None,
    run_after: datetime,
    max_attempts: int,
) -> str | None:
    """Add a job; with a ``dedupe_key`` already pending, nothing is added (returns None)."""
    if dedupe_key is not None:
        existing = session.scalar(
            select(Job.id).where(Job.dedupe_key == dedupe_key, Job.status == "pending")
        )
        if existing is not None:
            return None
        # A finished job with the same key gives its key up so the work can run again.
        session.execute(
            update(Job)
            .where(Job.dedupe_key == dedupe_key)
            .values(dedupe_key=None)
            .execution_options(synchronize_session=False)
        )
    job = Job(
        id=new_id("job"),
        org_id=org_id,
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key,
        run_after=run_after,
        max_attempts=max_attempts,
    )
    # A concurrent request may queue the same key first; the savepoint keeps the caller's
    # transaction usable and the duplicate is simply not added.
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        return None
    return job.id


def claim_due_jobs(
    session: Session, *, now: datetime, lease: timedelta, limit: int, kinds: list[str]
) -> list[Job]:
    """Lease up to ``limit`` due jobs of the given kinds (expired leases count as due)."""
    due = (
        select(Job.id)
        .where(
            Job.kind.in_(kinds),
            or_(
                (Job.status == "pending") & (Job.run_after <= now),
                (Job.status == "running") & (Job.locked_until < now),
            ),
        )
        .order_by(Job.run_after)
        .limit(limit)
    )
    if backend_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(Job)
        .where(Job.id.in_(ids))
        .values(status="running", locked_until=now + lease, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return list(
        session.scalars(
            select(Job).where(Job.id.in_(ids)).execution_options(populate_existing=True)
        )
    )


def get_job(session: Session, job_id: str) -> Job | None:
    """A job by id."""
    return session.get(Job, job_id)


def list_jobs(
    session: Session, org_id: str, *, kind: str | None = None, limit: int = 100
) -> list[Job]:
    """Recent jobs of an organisation."""
    query = select(Job).where(Job.org_id == org_id)
    if kind:
        query = query.where(Job.kind == kind)
    return list(session.scalars(query.order_by(Job.created_at.desc()).limit(limit)))
