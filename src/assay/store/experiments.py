"""Queries of A/B experiments: experiments, variants, worker membership, task assignment."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assay.store.models import Task
from assay.store.models.quality_ops import Experiment, ExperimentMember, ExperimentVariant


def add_experiment(
    session: Session, experiment: Experiment, variants: list[ExperimentVariant]
) -> None:
    """Store an experiment with its variants."""
    session.add(experiment)
    session.flush()
    session.add_all(variants)
    session.flush()


def get_experiment(session: Session, org_id: str, experiment_id: str) -> Experiment | None:
    """Return an experiment of this organisation."""
    query = select(Experiment).where(Experiment.org_id == org_id, Experiment.id == experiment_id)
    return session.scalar(query)


def list_experiments(session: Session, project_id: str) -> list[Experiment]:
    """Return a project's experiments, newest first."""
    query = select(Experiment).where(Experiment.project_id == project_id)
    return list(session.scalars(query.order_by(Experiment.created_at.desc())))


def running_experiment(session: Session, project_id: str) -> Experiment | None:
    """Return the project's running experiment, if any."""
    query = select(Experiment).where(
        Experiment.project_id == project_id, Experiment.status == "running"
    )
    return session.scalar(query)


def list_variants(session: Session, experiment_id: str) -> list[ExperimentVariant]:
    """Return an experiment's variants, control first."""
    query = select(ExperimentVariant).where(ExperimentVariant.experiment_id == experiment_id)
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda v: (not v.is_control, v.name))


def unassigned_tasks(session: Session, project_id: str) -> list[Task]:
    """Open tasks of a project with no variant and no response yet."""
    query = select(Task).where(
        Task.project_id == project_id,
        Task.variant_id.is_(None),
        Task.state == "open",
        Task.response_count == 0,
    )
    return list(session.scalars(query.order_by(Task.id)))


def set_task_variant(session: Session, task_ids: list[str], variant_id: str) -> None:
    """Assign tasks to a variant."""
    for start in range(0, len(task_ids), 900):
        session.execute(
            update(Task)
            .where(Task.id.in_(task_ids[start : start + 900]))
            .values(variant_id=variant_id)
            .execution_options(synchronize_session="fetch")
        )


def members(session: Session, experiment_id: str) -> dict[str, str]:
    """Worker id -> variant id of a worker-split experiment."""
    rows = session.execute(
        select(ExperimentMember.worker_id, ExperimentMember.variant_id).where(
            ExperimentMember.experiment_id == experiment_id
        )
    )
    return {worker_id: variant_id for worker_id, variant_id in rows}


def add_member(session: Session, experiment_id: str, worker_id: str, variant_id: str) -> None:
    """Put a worker in a variant."""
    session.add(
        ExperimentMember(experiment_id=experiment_id, worker_id=worker_id, variant_id=variant_id)
    )
    session.flush()
