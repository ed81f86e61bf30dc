"""Queries for assignments, responses and results."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Executable, Table, bindparam, case, func, insert, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from assay.domain.enums import AssignmentStatus, TaskState
from assay.errors import Conflict
from assay.store.base import Base, utcnow
from assay.store.engine import backend_name, upsert_into
from assay.store.models import Assignment, Response, Result, Review, Task
from assay.store.models.work import ACTIVE


def insert_assignment(session: Session, assignment: Assignment) -> None:
    """Store a new lease (the unique (task, worker) constraint is the last guard).

    One prebuilt INSERT, not a flush (every claim makes one); ``assignment`` stays outside the
    session, with its columns' defaults filled in.
    """
    session.flush()  # whatever else is pending goes first
    row = _stored_row(assignment)
    try:
        session.connection().execute(_insert_into(Assignment), row)
    except IntegrityError as exc:
        raise Conflict("This worker already holds an assignment for that task.") from exc


@cache
def _insert_into(model: type[Base]) -> Executable:
    return insert(cast("Table", model.__table__))


def _stored_row(instance: Base) -> dict[str, Any]:
    """The row a new object is inserted as, its scalar column defaults set on it as a flush would.

    Defaults computed by a function are left to the INSERT (the hot paths set those).
    """
    table = cast("Table", type(instance).__table__)
    values = vars(instance)
    for column in table.columns:
        default = column.default
        if column.key not in values and isinstance(default, ScalarElementColumnDefault):
            setattr(instance, column.key, default.arg)
    return {column.key: values[column.key] for column in table.columns if column.key in values}


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
        # Refresh from the row: a bulk update (lease reaping) may have changed it.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def insert_response(session: Session, response: Response) -> None:
    """Store a submitted response."""
    session.add(response)
    session.flush()


@cache
def _submission_statements() -> tuple[Executable, Executable]:
    leases = cast("Table", Assignment.__table__)
    tasks = cast("Table", Task.__table__)
    close_lease = (
        update(leases)
        .where(leases.c.id == bindparam("lease_id"))
        .values(
            status=bindparam("lease_status"),
            submitted_at=bindparam("at"),
            draft=null(),
            rework_reason=null(),
        )
    )
    count_response = (
        update(tasks)
        .where(tasks.c.id == bindparam("task_key"))
        .values(
            response_count=bindparam("count"),
            state=bindparam("task_state"),
            completed_at=bindparam("completed"),
            updated_at=bindparam("at"),
        )
    )
    return close_lease, count_response


def record_submission(
    session: Session,
    response: Response,
    assignment: Assignment,
    task: Task,
    *,
    counted: bool,
    completed: bool,
) -> None:
    """Store a submitted response, close its lease and, when ``counted``, count it on the task.

    The work of a flush in three prebuilt statements, at well under half its cost on the
    hottest path there is. The lease and the task take their new values as stored ones (the
    session will not write them again); ``response`` stays outside the session (a query that
    reads it back gets the stored row). ``completed``: this response completed the task.
    """
    session.flush()  # whatever else is pending goes first
    close_lease, count_response = _submission_statements()
    connection = session.connection()
    connection.execute(_insert_into(Response), _stored_row(response))
    at, status = response.created_at, AssignmentStatus.SUBMITTED.value
    connection.execute(close_lease, {"lease_id": assignment.id, "lease_status": status, "at": at})
    _mark_stored(assignment, status=status, submitted_at=at, draft=None, rework_reason=None)
    if not counted:
        return
    count = task.response_count + 1
    state = TaskState.COMPLETE.value if completed else task.state
    done = at if completed else task.completed_at
    counted_row: dict[str, object] = {
        "task_key": task.id,
        "count": count,
        "task_state": state,
        "completed": done,
        "at": at,
    }
    connection.execute(count_response, counted_row)
    _mark_stored(task, response_count=count, state=state, completed_at=done, updated_at=at)


def _mark_stored(instance: Base, **values: object) -> None:
    """Set values a statement already wrote, so the session does not write them again."""
    for key, value in values.items():
        set_committed_value(instance, key, value)


def list_task_responses(session: Session, task_id: str) -> list[Response]:
    """Every response to a task, in submission order."""
    query = select(Response).where(Response.task_id == task_id).order_by(Response.id)
    return list(session.scalars(query))


def get_result(session: Session, task_id: str) -> Result | None:
    """The task's current result."""
    return session.get(Result, task_id)


# What a new result sets; the rest (created_at, delivered_at) an existing row keeps.
_RESULT_FIELDS = (
    "org_id",
    "project_id",
    "answer",
    "confidence",
    "details",
    "method",
    "method_version",
    "response_ids",
)


@cache
def _result_upsert(dialect: str) -> Executable:
    statement = upsert_into(dialect, cast("Table", Result.__table__))
    replaced = {name: statement.excluded[name] for name in (*_RESULT_FIELDS, "updated_at")}
    return statement.on_conflict_do_update(index_elements=["task_id"], set_=replaced)


def save_result(session: Session, result: Result) -> None:
    """Insert or replace a task's result.

    One statement, built once (``INSERT ... ON CONFLICT DO UPDATE``), where ``merge`` would
    read the row first; a result the session already holds is merged, so that copy stays
    current.
    """
    if session.identity_map.get(session.identity_key(Result, result.task_id)) is not None:
        session.merge(result)
        session.flush()
        return
    session.flush()  # the statement below goes to the connection, past the session
    row = {name: getattr(result, name) for name in _RESULT_FIELDS}
    row.update(task_id=result.task_id, created_at=utcnow(), updated_at=utcnow())
    statement = _result_upsert(backend_name(session))
    session.connection().execute(statement, row)


def list_reviews_for_responses(session: Session, response_ids: list[str]) -> list[Review]:
    """The review chains of several responses, oldest first."""
    if not response_ids:
        return []
    query = select(Review).where(Review.response_id.in_(response_ids)).order_by(Review.id)
    return list(session.scalars(query))


def list_rework(session: Session, org_id: str, worker_id: str) -> list[Assignment]:
    """The worker's assignments a reviewer sent back to them, oldest first."""
    query = select(Assignment).where(
        Assignment.org_id == org_id,
        Assignment.worker_id == worker_id,
        ACTIVE,
        Assignment.rework_reason.is_not(None),
    )
    return list(session.scalars(query.order_by(Assignment.leased_at)))


def latest_response(session: Session, assignment_id: str) -> Response | None:
    """The most recent response under an assignment (rework adds more than one)."""
    query = select(Response).where(Response.assignment_id == assignment_id)
    return session.scalar(query.order_by(Response.created_at.desc(), Response.id.desc()).limit(1))


def count_worker_answers(session: Session, project_id: str, worker_id: str) -> tuple[int, int]:
    """How many of a project's tasks the worker answered, and how many gold answers were right."""
    answered = func.count(Response.id)
    correct = func.sum(case((Response.gold_correct.is_(True), 1), else_=0))
    row = session.execute(
        select(answered, correct).where(
            Response.project_id == project_id, Response.worker_id == worker_id
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)
