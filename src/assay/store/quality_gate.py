"""Queries of the delivery gate, confidence calibration, gold lifecycle and seeded review errors."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.store.models import Response, Result, Review, Task, Worker
from assay.store.models.quality_ops import (
    ConfidenceCalibration,
    GoldStatus,
    SeededError,
    TaskGate,
    WorkerSkillEstimate,
)


def get_gate(session: Session, task_id: str) -> TaskGate | None:
    """Return a task's gate record."""
    return session.get(TaskGate, task_id)


def add_gate(session: Session, gate: TaskGate) -> TaskGate:
    """Store a new gate record."""
    session.add(gate)
    session.flush()
    return gate


def list_gates(
    session: Session, project_id: str, *, statuses: Sequence[str] | None = None, limit: int = 1000
) -> list[TaskGate]:
    """Return a project's gate records (optionally in some statuses), latest change first."""
    query = select(TaskGate).where(TaskGate.project_id == project_id)
    if statuses:
        query = query.where(TaskGate.status.in_(list(statuses)))
    return list(session.scalars(query.order_by(TaskGate.updated_at.desc()).limit(limit)))


def gate_statuses(session: Session, project_id: str) -> dict[str, str]:
    """Task id -> gate status for every task of a project that reached the gate."""
    rows = session.execute(
        select(TaskGate.task_id, TaskGate.status).where(TaskGate.project_id == project_id)
    )
    return {task_id: status for task_id, status in rows}


def accuracies(session: Session, skill: str, worker_ids: Sequence[str]) -> dict[str, float]:
    """Return combined accuracy estimates of some workers on a skill."""
    if not worker_ids:
        return {}
    rows = session.execute(
        select(WorkerSkillEstimate.worker_id, WorkerSkillEstimate.mean).where(
            WorkerSkillEstimate.skill == skill,
            WorkerSkillEstimate.source == "combined",
            WorkerSkillEstimate.worker_id.in_(list(worker_ids)),
        )
    )
    return {worker_id: float(mean) for worker_id, mean in rows}


def ranked_workers(session: Session, org_id: str, skill: str) -> list[tuple[str, float]]:
    """Working (active or probation) workers with a combined estimate, most accurate first."""
    rows = session.execute(
        select(WorkerSkillEstimate.worker_id, WorkerSkillEstimate.mean)
        .join(Worker, Worker.id == WorkerSkillEstimate.worker_id)
        .where(
            WorkerSkillEstimate.org_id == org_id,
            WorkerSkillEstimate.skill == skill,
            WorkerSkillEstimate.source == "combined",
            Worker.status.in_(["active", "probation"]),
        )
        .order_by(WorkerSkillEstimate.mean.desc())
    )
    return [(worker_id, float(mean)) for worker_id, mean in rows]


def get_calibration(session: Session, project_id: str) -> ConfidenceCalibration | None:
    """Return a project's confidence calibration, if fitted."""
    return session.get(ConfidenceCalibration, project_id)


def save_calibration(session: Session, calibration: ConfidenceCalibration) -> None:
    """Insert or replace a project's calibration."""
    session.merge(calibration)
    session.flush()


def get_gold_status(session: Session, task_id: str) -> GoldStatus | None:
    """Return a gold task's lifecycle record (None: active, never changed)."""
    return session.get(GoldStatus, task_id)


def save_gold_status(session: Session, status: GoldStatus) -> GoldStatus:
    """Insert or replace a gold task's lifecycle record."""
    merged = session.merge(status)
    session.flush()
    return merged


def list_gold_statuses(session: Session, project_id: str) -> list[GoldStatus]:
    """Return a project's gold lifecycle records."""
    query = select(GoldStatus).where(GoldStatus.project_id == project_id)
    return list(session.scalars(query))


def add_seeded_error(session: Session, seeded: SeededError) -> None:
    """Record a planted error."""
    session.add(seeded)
    session.flush()


def list_seeded_reviews(
    session: Session, project_id: str
) -> list[tuple[SeededError, Response, Review | None]]:
    """Every planted error with its response and each review it received (None: unreviewed)."""
    rows = session.execute(
        select(SeededError, Response, Review)
        .join(Response, Response.id == SeededError.response_id)
        .outerjoin(Review, Review.response_id == SeededError.response_id)
        .where(SeededError.project_id == project_id)
        .order_by(SeededError.created_at)
    )
    return [(seeded, response, review) for seeded, response, review in rows]


def list_gold_tasks(session: Session, project_id: str) -> list[Task]:
    """Return a project's gold tasks."""
    query = select(Task).where(Task.project_id == project_id, Task.is_gold.is_(True))
    return list(session.scalars(query.order_by(Task.id)))


def list_results(session: Session, project_id: str) -> list[Result]:
    """Every result of a project."""
    return list(session.scalars(select(Result).where(Result.project_id == project_id)))
