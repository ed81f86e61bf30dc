"""Queries for tasks: bulk insert by unique id, reads, counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.errors import InvalidInput
from assay.store.engine import backend_name
from assay.store.models import Task

_IN_CHUNK = 900  # under SQLite's default limit of bound parameters per statement


def find_task_ids_by_unique_id(
    session: Session, project_id: str, unique_ids: Iterable[str]
) -> dict[str, str]:
    """Map each of ``unique_ids`` that already exists in the project to its task id."""
    wanted = list(unique_ids)
    if backend_name(session) == "postgresql":
        # One statement whatever the count: the ids travel as one JSON array, joined to the
        # (project_id, unique_id) index row by row.
        matches = session.connection().exec_driver_sql(
            _POSTGRESQL_FIND, {"project_id": project_id, "unique_ids": _json(wanted)}
        )
        return {unique_id: task_id for unique_id, task_id in matches}
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        rows = session.execute(
            select(Task.unique_id, Task.id).where(
                Task.project_id == project_id, Task.unique_id.in_(chunk)
            )
        )
        found.update({unique_id: task_id for unique_id, task_id in rows})
    return found


# One task of a bulk import, the columns that differ from task to task, in this order:
# (id, unique_id, payload, metadata, priority, is_gold, gold_answer, open_slots). A plain tuple:
# imports build a hundred thousand of them, and a named tuple costs several times more to make.
NewTask = tuple[str, str, dict[str, Any], dict[str, Any], int, bool, dict[str, Any] | None, int]


@dataclass(frozen=True)
class NewTasks:
    """The tasks of one import: what they share, and one row each (new, open, unanswered)."""

    org_id: str
    project_id: str
    batch_id: str | None
    redundancy: int
    created_at: datetime
    rows: Sequence[NewTask]


_COLUMNS = (
    "id, org_id, project_id, batch_id, unique_id, payload, metadata, priority, state, is_gold, "
    "gold_answer, redundancy, open_slots, response_count, created_at, updated_at"
)
_SQLITE_INSERT = (
    f"INSERT INTO tasks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, 0, ?, ?) "
    "ON CONFLICT (project_id, unique_id) DO NOTHING"
)
# One statement for the whole import: the rows travel as one JSON array of NewTask arrays,
# which PostgreSQL parses in C (a text[] parameter per column costs psycopg a Python loop).
# A missing gold answer is JSON null, as the ORM's JSON columns store None.
_POSTGRESQL_INSERT = (
    f"INSERT INTO tasks ({_COLUMNS}) "
    "SELECT r->>0, %(org_id)s, %(project_id)s, %(batch_id)s, r->>1, r->2, r->3, "
    "(r->>4)::int, 'open', (r->>5)::bool, r->6, %(redundancy)s, (r->>7)::int, 0, "
    "%(created_at)s, %(created_at)s "
    "FROM jsonb_array_elements(%(rows)s::jsonb) AS r "
    "ON CONFLICT (project_id, unique_id) DO NOTHING RETURNING unique_id"
)


_POSTGRESQL_FIND = (
    "SELECT t.unique_id, t.id FROM jsonb_array_elements_text(%(unique_ids)s::jsonb) AS u(value) "
    "JOIN tasks AS t ON t.project_id = %(project_id)s AND t.unique_id = u.value"
)


def _json(value: Any) -> str:
    # What the engine's JSON columns store (``engine._json_text``); None is a JSON null.
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError as exc:
        # e.g. an integer beyond 64 bits, which JSON parsers take but cannot hand back.
        raise InvalidInput(f"A task cannot be stored as JSON: {exc}.") from None


def insert_new_tasks(session: Session, tasks: NewTasks) -> set[str]:
    """Insert the tasks whose unique id is new in the project; the unique ids inserted.

    ``INSERT ... ON CONFLICT DO NOTHING``: existing ids are skipped by the unique index itself,
    so nothing is looked up first and a concurrent import of the same ids is harmless. The rows
    go to the driver as plain tuples (SQLite: one ``executemany``) or one JSON document
    (PostgreSQL: one ``INSERT ... SELECT FROM jsonb_array_elements(...)``), with no per-row
    work in SQLAlchemy; what the ORM would store is exactly what is stored (a test holds it
    to that).
    """
    if not tasks.rows:
        return set()
    if backend_name(session) == "postgresql":
        return _insert_postgresql(session, tasks)
    return _insert_sqlite(session, tasks)


def _stored_time(session: Session, moment: datetime) -> Any:
    # The timestamp as the created_at column hands it to this driver (text on SQLite).
    dialect = session.get_bind().dialect
    process = Task.__table__.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process(moment) if process is not None else moment


def _insert_sqlite(session: Session, tasks: NewTasks) -> set[str]:
    stamp = _stored_time(session, tasks.created_at)
    org_id, project_id, batch_id = tasks.org_id, tasks.project_id, tasks.batch_id
    redundancy = tasks.redundancy
    params = [
        (
            task_id,
            org_id,
            project_id,
            batch_id,
            unique_id,
            _json(payload),
            _json(metadata),
            priority,
            is_gold,
            _json(gold_answer),
            redundancy,
            open_slots,
            stamp,
            stamp,
        )
        for task_id, unique_id, payload, metadata, priority, is_gold, gold_answer, open_slots in (
            tasks.rows
        )
    ]
    inserted = session.connection().exec_driver_sql(_SQLITE_INSERT, params).rowcount
    if inserted == len(tasks.rows):
        return {row[1] for row in tasks.rows}
    if inserted == 0:
        return set()
    # Some were new, some not: the new ones are those whose id went in.
    unique_id_of = {row[0]: row[1] for row in tasks.rows}
    ids = list(unique_id_of)
    found: set[str] = set()
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        found.update(session.scalars(select(Task.id).where(Task.id.in_(chunk))))
    return {unique_id_of[task_id] for task_id in found}


def _insert_postgresql(session: Session, tasks: NewTasks) -> set[str]:
    params = {
        "org_id": tasks.org_id,
        "project_id": tasks.project_id,
        "batch_id": tasks.batch_id,
        "redundancy": tasks.redundancy,
        "created_at": tasks.created_at,
        "rows": _json(tasks.rows),
    }
    result = session.connection().exec_driver_sql(_POSTGRESQL_INSERT, params)
    return {unique_id for (unique_id,) in result}


def get_task(session: Session, org_id: str, task_id: str) -> Task | None:
    """A task of this organisation."""
    return session.scalar(select(Task).where(Task.org_id == org_id, Task.id == task_id))


def get_task_for_update(session: Session, task_id: str) -> Task | None:
    """A task row, locked until the transaction ends (PostgreSQL; SQLite already holds the lock)."""
    query = select(Task).where(Task.id == task_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def list_tasks(
    session: Session,
    org_id: str,
    project_id: str,
    *,
    state: str | None = None,
    batch_id: str | None = None,
    after_id: str | None = None,
    limit: int = 100,
) -> list[Task]:
    """A page of a project's tasks in creation order (keyset pagination on the id)."""
    query = select(Task).where(Task.org_id == org_id, Task.project_id == project_id)
    if state:
        query = query.where(Task.state == state)
    if batch_id:
        query = query.where(Task.batch_id == batch_id)
    if after_id:
        query = query.where(Task.id > after_id)
    return list(session.scalars(query.order_by(Task.id).limit(limit)))


def count_tasks_by_state(session: Session, project_id: str) -> dict[str, int]:
    """How many tasks of the project are in each state."""
    rows = session.execute(
        select(Task.state, func.count()).where(Task.project_id == project_id).group_by(Task.state)
    )
    return {state: count for state, count in rows}
