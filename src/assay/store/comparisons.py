"""Queries for the per-worker side orders of comparison tasks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

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
