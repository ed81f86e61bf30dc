"""Reads behind training exports that the task documents do not carry: rater gold accuracy."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assay.store.models import Response


def gold_accuracy_by_worker(session: Session, project_id: str) -> dict[str, tuple[int, int]]:
    """Per worker of a project: gold tasks answered, and how many of them were right."""
    answered = func.count(Response.gold_correct)
    correct = func.sum(case((Response.gold_correct.is_(True), 1), else_=0))
    query = (
        select(Response.worker_id, answered, correct)
        .where(Response.project_id == project_id, Response.gold_correct.is_not(None))
        .group_by(Response.worker_id)
    )
    return {worker: (int(n or 0), int(k or 0)) for worker, n, k in session.execute(query)}
