"""Queries for generations (model answers to prompts) and rubric evaluation items."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assay.store.models import Task
from assay.store.models.rlhf import EvalItem, Generation

_IN_CHUNK = 900  # under SQLite's default limit of bound parameters per statement


def insert_generations(session: Session, generations: Sequence[Generation]) -> None:
    """Store pending generations."""
    session.add_all(list(generations))
    session.flush()


def list_task_generations(session: Session, task_id: str) -> list[Generation]:
    """List a task's generations in payload order."""
    query = select(Generation).where(Generation.task_id == task_id)
    return list(session.scalars(query.order_by(Generation.position)))


def list_item_generations(session: Session, eval_item_id: str) -> list[Generation]:
    """List an evaluation item's generations, one per endpoint."""
    query = select(Generation).where(Generation.eval_item_id == eval_item_id)
    return list(session.scalars(query.order_by(Generation.position)))


def get_generations(session: Session, ids: Sequence[str]) -> list[Generation]:
    """Return generations by id, locked until the transaction ends (PostgreSQL)."""
    if not ids:
        return []
    query = select(Generation).where(Generation.id.in_(list(ids))).with_for_update()
    return list(session.scalars(query))


def count_generations(session: Session, project_id: str) -> dict[str, int]:
    """How many of a project's generations are pending, done or failed."""
    query = (
        select(Generation.status, func.count())
        .where(Generation.project_id == project_id)
        .group_by(Generation.status)
    )
    return {status: count for status, count in session.execute(query)}


def list_unfinished_generations(
    session: Session, project_id: str, *, status: str, limit: int
) -> list[Generation]:
    """List a project's generations in one status (``pending`` or ``failed``), oldest first."""
    query = select(Generation).where(
        Generation.project_id == project_id, Generation.status == status
    )
    return list(session.scalars(query.order_by(Generation.id).limit(limit)))


def list_generations_for_tasks(session: Session, task_ids: Sequence[str]) -> list[Generation]:
    """List the generations of many tasks (for exports)."""
    rows: list[Generation] = []
    wanted = list(task_ids)
    for start in range(0, len(wanted), _IN_CHUNK):
        query = select(Generation).where(Generation.task_id.in_(wanted[start : start + _IN_CHUNK]))
        rows.extend(session.scalars(query))
    return rows


def list_project_item_generations(session: Session, project_id: str) -> list[Generation]:
    """Every generation of a rubric evaluation's items."""
    query = select(Generation).where(
        Generation.project_id == project_id, Generation.eval_item_id.is_not(None)
    )
    return list(session.scalars(query.order_by(Generation.id)))


def insert_eval_items(session: Session, items: Sequence[EvalItem]) -> None:
    """Store evaluation items."""
    session.add_all(list(items))
    session.flush()


def get_eval_item(session: Session, eval_item_id: str) -> EvalItem | None:
    """Return an evaluation item by id (internal callers that hold the id)."""
    return session.get(EvalItem, eval_item_id)


def find_eval_item_ids(
    session: Session, project_id: str, unique_ids: Sequence[str]
) -> dict[str, str]:
    """Map each of ``unique_ids`` already in the evaluation to its item id."""
    found: dict[str, str] = {}
    wanted = list(unique_ids)
    for start in range(0, len(wanted), _IN_CHUNK):
        query = select(EvalItem.unique_id, EvalItem.id).where(
            EvalItem.project_id == project_id,
            EvalItem.unique_id.in_(wanted[start : start + _IN_CHUNK]),
        )
        found.update({unique_id: item_id for unique_id, item_id in session.execute(query)})
    return found


def list_eval_items(session: Session, project_id: str) -> list[EvalItem]:
    """Every item of a rubric evaluation, in creation order."""
    query = select(EvalItem).where(EvalItem.project_id == project_id)
    return list(session.scalars(query.order_by(EvalItem.id)))


def hold_tasks(session: Session, task_ids: Sequence[str]) -> None:
    """Take every lease slot of these tasks away until their model responses are in."""
    wanted = list(task_ids)
    for start in range(0, len(wanted), _IN_CHUNK):
        session.execute(
            update(Task)
            .where(Task.id.in_(wanted[start : start + _IN_CHUNK]))
            .values(open_slots=0)
            .execution_options(synchronize_session=False)
        )


def reset_generations(session: Session, ids: Sequence[str]) -> None:
    """Put generations back to pending with a fresh attempt budget."""
    wanted = list(ids)
    for start in range(0, len(wanted), _IN_CHUNK):
        session.execute(
            update(Generation)
            .where(Generation.id.in_(wanted[start : start + _IN_CHUNK]))
            .values(status="pending", attempts=0, error="")
            .execution_options(synchronize_session=False)
        )
