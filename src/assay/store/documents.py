"""Batched reads behind result documents and exports: pages of tasks and everything under them.

Every read is scoped to an organisation and fetches a whole page's results, responses and
reviews in a few ``IN`` queries, never one query per task. Rows come back as read-only records
(named like the model attributes) rather than ORM objects: exports read millions of them, and
skipping the identity map halves the cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from assay.store.base import Base
from assay.store.models import Project, Response, Result, Review, Task

_IN_CHUNK = 900  # under SQLite's default limit of bound parameters per statement

Record = Row[Any]
"""A read-only row with one attribute per mapped column (``task.metadata_``, ``response.id``)."""


def _records_of(model: type[Base]) -> Select[Any]:
    # Mapped attributes (not table columns) keep the ORM's autoflush and attribute names.
    return select(*(getattr(model, column.key) for column in model.__mapper__.column_attrs))


def _where_in(
    session: Session,
    query: Select[Any],
    column: InstrumentedAttribute[str],
    ids: Sequence[str],
) -> list[Record]:
    rows: list[Record] = []
    for start in range(0, len(ids), _IN_CHUNK):
        rows.extend(session.execute(query.where(column.in_(ids[start : start + _IN_CHUNK]))))
    return rows


def get_project_org_id(session: Session, project_id: str) -> str | None:
    """Return the organisation owning a project (for trusted local tools such as the CLI)."""
    return session.scalar(select(Project.org_id).where(Project.id == project_id))


def get_task_record(session: Session, task_id: str) -> Record | None:
    """Find a task by its globally unique id (for internal callers that hold the id)."""
    return session.execute(_records_of(Task).where(Task.id == task_id)).one_or_none()


def list_task_page(
    session: Session,
    org_id: str,
    project_id: str,
    *,
    after_id: str | None,
    limit: int,
    with_result_only: bool = False,
) -> list[Record]:
    """List the next page of a project's tasks in id order (keyset pagination: no OFFSET)."""
    query = _records_of(Task).where(Task.org_id == org_id, Task.project_id == project_id)
    if with_result_only:
        query = query.join(Result, Result.task_id == Task.id)
    if after_id is not None:
        query = query.where(Task.id > after_id)
    return list(session.execute(query.order_by(Task.id).limit(limit)))


def list_results_for_tasks(session: Session, org_id: str, task_ids: Sequence[str]) -> list[Record]:
    """List the results of these tasks (a task has at most one)."""
    query = _records_of(Result).where(Result.org_id == org_id)
    return _where_in(session, query, Result.task_id, task_ids)


def list_responses_for_tasks(
    session: Session, org_id: str, task_ids: Sequence[str]
) -> list[Record]:
    """List the responses to these tasks, oldest first."""
    query = _records_of(Response).where(Response.org_id == org_id)
    rows = _where_in(session, query, Response.task_id, task_ids)
    return sorted(rows, key=lambda response: (response.created_at, response.id))


def list_reviews_for_responses(
    session: Session, org_id: str, response_ids: Sequence[str]
) -> list[Record]:
    """List the reviews of these responses, oldest first (each response's chain in order)."""
    query = _records_of(Review).where(Review.org_id == org_id)
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
