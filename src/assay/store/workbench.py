"""Queries behind the web workbench: a worker's open leases and their own response counts."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assay.store.models import Assignment, Response
from assay.store.models.work import ACTIVE


def list_active_assignments(session: Session, org_id: str, worker_id: str) -> list[Assignment]:
    """List the worker's active leases (including rework), oldest first."""
    query = select(Assignment).where(
        Assignment.org_id == org_id,
        Assignment.worker_id == worker_id,
        ACTIVE,
    )
    return list(session.scalars(query.order_by(Assignment.leased_at, Assignment.id)))


def count_worker_responses(session: Session, org_id: str, worker_id: str) -> dict[str, int]:
    """Count the worker's responses by status, plus ``gold_answered`` and ``gold_correct``."""
    counts: dict[str, int] = {}
    rows = session.execute(
        select(Response.status, func.count())
        .where(Response.org_id == org_id, Response.worker_id == worker_id)
        .group_by(Response.status)
    )
    for status, count in rows:
        counts[str(status)] = int(count)
    gold = func.sum(case((Response.gold_correct.is_not(None), 1), else_=0))
    correct = func.sum(case((Response.gold_correct.is_(True), 1), else_=0))
    row = session.execute(
        select(gold, correct).where(Response.org_id == org_id, Response.worker_id == worker_id)
    ).one()
    counts["gold_answered"] = int(row[0] or 0)
    counts["gold_correct"] = int(row[1] or 0)
    return counts
