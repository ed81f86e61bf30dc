"""Queries for the per-worker side orders of comparison tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from assay.store.models import Task
from assay.store.models.rlhf import ComparisonSides

_IN_CHUNK = 900  # under SQLite's default limit of bound parameters per statement


def insert_sides(session: Session, sides: ComparisonSides) -> None:
    """Store the order a worker is shown a task's responses in."""
    session.add(sides)
    session.flush()


def get_sides(session: Session, assignment_id: str) -> ComparisonSides | None:
    """Return the side order of an assignment, if its task was shown shuffled."""
    return session.get(ComparisonSides, assignment_id)


def list_sides_for_assignments(
    session: Session, assignment_ids: Sequence[str]
) -> dict[str, ComparisonSides]:
    """Side orders of many assignments (for exports), by assignment id."""
    found: dict[str, ComparisonSides] = {}
    wanted = list(assignment_ids)
    for start in range(0, len(wanted), _IN_CHUNK):
        query = select(ComparisonSides).where(
            ComparisonSides.assignment_id.in_(wanted[start : start + _IN_CHUNK])
        )
        found.update({row.assignment_id: row for row in session.scalars(query)})
    return found


def shown_copy(task: Task, payload: dict[str, Any]) -> Task:
    """Return a copy of a task holding another payload, for display only.

    The copy belongs to no session, so it is never saved, and the session's own task keeps
    its stored payload for everything else the transaction does.
    """
    values = {attr.key: getattr(task, attr.key) for attr in inspect(Task).column_attrs}
    values["payload"] = payload
    return Task(**values)
