"""Queries for assignments, responses and results."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.errors import Conflict

from assay.store.models import Assignment, Response, Result, Review


def insert_assignment(session: Session, assignment: Assignment) -> None:
    """Store a new lease (the unique (task, worker) constraint is the last guard)."""
    session.add(assignment)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("This worker already holds an assignment for that task.") from exc


def get_assignment_for_worker(
    session: Session, org_id: str, assignment_id: str, worker_id: str, *, lock: bool = False
) -> Assignment | None:
    """The worker's own assignment, optionally locked for the rest of the transaction."""
    query = select(Assignment).where(
        Assignment.org_id == org_id,
        Assignment.id == assignment_id,
        Assignment.worker_id == worker_id,
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def get_response_by_assignment(session: Session, assignment_id: str) -> Response | None:
    """The response submitted for an assignment, if any."""
    return session.scalar(select(Response).where(Response.assignment_id == assignment_id))


def insert_response(session: Session, response: Response) -> None:
    """Store a submitted response."""
    session.add(response)
    session.flush()


def list_task_responses(session: Session, task_id: str) -> list[Response]:
    """Every response to a task, in submission order."""
    query = select(Response).where(Response.task_id == task_id).order_by(Response.id)
    return list(session.scalars(query))


def get_result(session: Session, task_id: str) -> Result | None:
    """The task's current result."""
    return session.get(Result, task_id)


def save_result(session: Session, result: Result) -> None:
    """Insert or replace a task's result."""
    session.merge(result)
    session.flush()


def list_reviews_for_responses(session: Session, response_ids: list[str]) -> list[Review]:
    """The review chains of several responses, oldest first."""
    if not response_ids:
        return []
    query = select(Review).where(Review.response_id.in_(response_ids)).order_by(Review.id)
    return list(session.scalars(query))
