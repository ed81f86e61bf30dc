"""Queries for the review queue: claiming a response to review, and loading it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from assay.store.engine import backend_name
from assay.store.models import Response, Review


def claim_review(
    session: Session,
    *,
    project_ids: Sequence[str],
    reviewer_id: str,
    now: datetime,
    until: datetime,
) -> str | None:
    """Lease the oldest response waiting for review that the reviewer did not write."""
    if not project_ids:
        return None
    candidate = (
        select(Response.id)
        .where(
            Response.project_id.in_(list(project_ids)),
            Response.status == "in_review",
            Response.worker_id != reviewer_id,
            or_(
                Response.review_claimed_until.is_(None),
                Response.review_claimed_until < now,
                Response.review_claimed_by == reviewer_id,
            ),
        )
        .order_by(Response.id)
        .limit(1)
    )
    if backend_name(session) == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    claim = (
        update(Response)
        .where(Response.id == candidate.scalar_subquery())
        .values(review_claimed_by=reviewer_id, review_claimed_until=until)
        .returning(Response.id)
        .execution_options(synchronize_session=False)
    )
    return session.scalar(claim)


def get_response(
    session: Session, org_id: str, response_id: str, *, lock: bool = False
) -> Response | None:
    """A response of this organisation."""
    query = select(Response).where(Response.org_id == org_id, Response.id == response_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def insert_review(session: Session, review: Review) -> None:
    """Store a verdict."""
    session.add(review)
    session.flush()
