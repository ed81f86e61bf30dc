"""Queries of the quality recompute: what it reads of a project, and one chunk of its results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, load_only

from assay.store.models import Job, Response, Result, Task
from assay.store.models.quality_ops import TaskGate


def list_answered_tasks(session: Session, project_id: str) -> list[Task]:
    """The project's tasks with at least one response (not the hidden review-audit copies).

    Every quality step looks tasks up from their responses; in a large project the tasks
    nobody answered yet are most of the rows, and reading them would be most of the work.
    """
    answered = (
        select(Response.task_id).where(Response.project_id == project_id).distinct().subquery()
    )
    query = (
        select(Task)
        .join(answered, answered.c.task_id == Task.id)
        .where(Task.project_id == project_id, Task.state != "audit")
    )
    return list(session.scalars(query))


def list_results_to_rescore(
    session: Session, project_id: str, details_key: str
) -> list[tuple[Result, Any]]:
    """Every result of a project, with what a re-score compares: one entry of its details.

    The results carry only their answer and delivery time (their details and response ids,
    most of a result's bytes, are left unread).
    """
    query = (
        select(Result, Result.details[details_key])
        .options(load_only(Result.task_id, Result.answer, Result.delivered_at))
        .where(Result.project_id == project_id)
    )
    return [(result, entry) for result, entry in session.execute(query)]


# The reads below are of rows as they are now: rows the session already holds are refreshed
# (a recompute's session keeps what it loaded across its many short transactions).
_FRESH = {"populate_existing": True}


def results_of_tasks(session: Session, task_ids: Collection[str]) -> dict[str, Result]:
    """Task id -> result, for those of ``task_ids`` that have one."""
    if not task_ids:
        return {}
    query = select(Result).where(Result.task_id.in_(list(task_ids)))
    return {result.task_id: result for result in session.scalars(query, execution_options=_FRESH)}


def tasks_by_id(session: Session, task_ids: Collection[str]) -> dict[str, Task]:
    """Task id -> task, for those of ``task_ids`` that exist."""
    if not task_ids:
        return {}
    query = select(Task).where(Task.id.in_(list(task_ids)))
    return {task.id: task for task in session.scalars(query, execution_options=_FRESH)}


def forget_loaded_work(session: Session) -> None:
    """Make the session read its tasks, responses, results and gate records again on use."""
    for row in list(session.identity_map.values()):
        if isinstance(row, Task | Response | Result | TaskGate):
            session.expire(row)


def gate_of_task(session: Session, task_id: str) -> TaskGate | None:
    """A task's delivery-gate record."""
    return session.get(TaskGate, task_id, populate_existing=True)


def gate_statuses_of_tasks(session: Session, task_ids: Collection[str]) -> dict[str, str]:
    """Task id -> delivery-gate status, for those of ``task_ids`` that reached the gate."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(TaskGate.task_id, TaskGate.status).where(TaskGate.task_id.in_(list(task_ids)))
    )
    return {task_id: status for task_id, status in rows}


def accepted_response_ids(session: Session, task_ids: Collection[str]) -> dict[str, frozenset[str]]:
    """Task id -> ids of its accepted responses (tasks without any are left out)."""
    if not task_ids:
        return {}
    grouped: dict[str, set[str]] = defaultdict(set)
    rows = session.execute(
        select(Response.task_id, Response.id).where(
            Response.task_id.in_(list(task_ids)), Response.status == "accepted"
        )
    )
    for task_id, response_id in rows:
        grouped[task_id].add(response_id)
    return {task_id: frozenset(ids) for task_id, ids in grouped.items()}


def accepted_responses(session: Session, task_ids: Collection[str]) -> dict[str, list[Response]]:
    """Task id -> its accepted responses, oldest first (tasks without any are left out)."""
    if not task_ids:
        return {}
    grouped: dict[str, list[Response]] = defaultdict(list)
    query = select(Response).where(
        Response.task_id.in_(list(task_ids)), Response.status == "accepted"
    )
    ordered = query.order_by(Response.created_at, Response.id)
    for response in session.scalars(ordered, execution_options=_FRESH):
        grouped[response.task_id].append(response)
    return dict(grouped)


def held_gate_task_ids(
    session: Session, project_id: str, statuses: Collection[str], *, limit: int = 1000
) -> list[str]:
    """Ids of the project's tasks whose gate is in one of ``statuses``, latest change first."""
    query = select(TaskGate.task_id).where(
        TaskGate.project_id == project_id, TaskGate.status.in_(list(statuses))
    )
    return list(session.scalars(query.order_by(TaskGate.updated_at.desc()).limit(limit)))


def postpone_pending_job(session: Session, dedupe_key: str, not_before: datetime) -> None:
    """Make the pending job with ``dedupe_key`` wait until ``not_before`` if due earlier."""
    session.execute(
        update(Job)
        .where(Job.dedupe_key == dedupe_key, Job.status == "pending", Job.run_after < not_before)
        .values(run_after=not_before)
        .execution_options(synchronize_session=False)
    )
