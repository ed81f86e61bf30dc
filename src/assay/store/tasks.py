"""Queries for tasks: bulk insert by unique id, reads, counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from sqlalchemy import Table

from assay.store.engine import backend_name
from assay.store.models import Task

_IN_CHUNK = 900  # under SQLite's default limit of bound parameters per statement


def find_task_ids_by_unique_id(
    session: Session, project_id: str, unique_ids: Iterable[str]
) -> dict[str, str]:
    """Map each of ``unique_ids`` that already exists in the project to its task id."""
    wanted = list(unique_ids)
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


def insert_new_tasks(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert the rows (keyed by column name) whose unique id is new; the unique ids inserted.

    ``INSERT ... ON CONFLICT DO NOTHING`` in batches: existing ids are skipped by the unique
    index itself, so nothing is looked up by unique id first (such a lookup of thousands of ids
    plans badly on a freshly grown PostgreSQL table) and a concurrent import of the same ids is
    harmless. Which rows went in is then read back by primary key, which always plans well;
    ``RETURNING`` would do it in one step but makes psycopg send the rows one at a time.
    """
    if not rows:
        return set()
    dialect_insert = postgresql_insert if backend_name(session) == "postgresql" else sqlite_insert
    table = cast("Table", Task.__table__)
    # Core, not the ORM: the rows are plain dicts and the ORM's per-row bookkeeping would cost
    # more than the insert itself. Core keys rows by column name ("metadata", not "metadata_").
    statement = dialect_insert(table).on_conflict_do_nothing(
        index_elements=["project_id", "unique_id"]
    )
    connection = session.connection()
    connection.execute(statement, list(rows))
    unique_id_of = {row["id"]: row["unique_id"] for row in rows}
    ids = list(unique_id_of)
    inserted: set[str] = set()
    for start in range(0, len(ids), _IN_CHUNK):
        found = connection.scalars(
            select(table.c.id).where(table.c.id.in_(ids[start : start + _IN_CHUNK]))
        )
        inserted.update(unique_id_of[task_id] for task_id in found)
    return inserted


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
