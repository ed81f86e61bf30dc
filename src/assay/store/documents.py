"""Batched reads behind result documents and exports: pages of tasks and everything under them.

Every read is scoped to an organisation and fetches a whole page's results, responses and
reviews in a few ``IN`` queries, never one query per task.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from assay.store.models import Project, Response, Result, Review, Task

_IN_CHUNK = 900  # under SQLite's default limit of bound parameters per statement
_Row = TypeVar("_Row")


def _where_in(
    session: Session,
    query: Select[_Row],
    column: InstrumentedAttribute[str],
    ids: Sequence[str],
) -> list[_Row]:
    rows: list[_Row] = []
    for start in range(0, len(ids), _IN_CHUNK):
        rows.extend(session.scalars(query.where(column.in_(ids[start : start + _IN_CHUNK]))))
    return rows


def get_project_org_id(session: Session, project_id: str) -> str | None:
    """Return the organisation owning a project (for trusted local tools such as the CLI)."""
    return session.scalar(select(Project.org_id).where(Project.id == project_id))


def get_task_by_id(session: Session, task_id: str) -> Task | None:
    """Find a task by its globally unique id (for internal callers that hold the id)."""
    return session.scalar(select(Task).where(Task.id == task_id))


def list_task_page(
    session: Session,
    org_id: str,
    project_id: str,
    *,
    after_id: str | None,
    limit: int,
    with_result_only: bool = False,
) -> list[Task]:
    """List the next page of a project's tasks in id order (keyset pagination: no OFFSET)."""
    query = select(Task).where(Task.org_id == org_id, Task.project_id == project_id)
    if with_result_only:
        query = query.join(Result, Result.task_id == Task.id)
    if after_id is not None:
        query = query.where(Task.id > after_id)
    return list(session.scalars(query.order_by(Task.id).limit(limit)))


def list_results_for_tasks(session: Session, org_id: str, task_ids: Sequence[str]) -> list[Result]:
    """List the results of these tasks (a task has at most one)."""
    query = select(Result).where(Result.org_id == org_id)
    return _where_in(session, query, Result.task_id, task_ids)


def list_responses_for_tasks(
    session: Session, org_id: str, task_ids: Sequence[str]
) -> list[Response]:
    """List the responses to these tasks, oldest first."""
    query = select(Response).where(Response.org_id == org_id)
    rows = _where_in(session, query, Response.task_id, task_ids)
    return sorted(rows, key=lambda response: (response.created_at, response.id))


def list_reviews_for_responses(
    session: Session, org_id: str, response_ids: Sequence[str]
) -> list[Review]:
    """List the reviews of these responses, oldest first (each response's chain in order)."""
    query = select(Review).where(Review.org_id == org_id)
    rows = _where_in(session, query, Review.response_id, response_ids)
    return sorted(rows, key=lambda review: (review.created_at, review.id))


def count_tasks(
    session: Session, org_id: str, project_id: str, *, with_result_only: bool = False
) -> int:
    """Count the project's tasks (optionally: those that have a result)."""
    query = select(func.count()).select_from(Task)
    if with_result_only:
        query = query.join(Result, Result.task_id == Task.id)
    query = query.where(Task.org_id == org_id, Task.project_id == project_id)
    return session.scalar(query) or 0


def count_responses(session: Session, org_id: str, project_id: str) -> int:
    """Count the project's responses."""
    query = (
        select(func.count())
        .select_from(Response)
        .where(Response.org_id == org_id, Response.project_id == project_id)
    )
    return session.scalar(query) or 0


def project_exists(session: Session, org_id: str, project_id: str) -> bool:
    """Tell whether this organisation has the project."""
    query = select(Project.id).where(Project.org_id == org_id, Project.id == project_id)
    return session.scalar(query) is not None
