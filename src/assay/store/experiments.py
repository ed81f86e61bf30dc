"""Queries of A/B experiments: experiments, variants, worker membership, task assignment."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assay.store.engine import backend_name, upsert_into
from assay.store.models import Assignment, Task
from assay.store.models.quality_ops import Experiment, ExperimentMember, ExperimentVariant

if TYPE_CHECKING:
    from sqlalchemy import Table


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


def running_experiments(session: Session, project_ids: list[str]) -> dict[str, Experiment]:
    """Return the running experiment of each of these projects that runs one, by project id."""
    if not project_ids:
        return {}
    query = select(Experiment).where(
        Experiment.project_id.in_(project_ids), Experiment.status == "running"
    )
    return {e.project_id: e for e in session.scalars(query)}


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
    """Assign tasks to a variant, leaving any a lease placed meanwhile where it is."""
    for start in range(0, len(task_ids), 900):
        session.execute(
            update(Task)
            .where(Task.id.in_(task_ids[start : start + 900]), Task.variant_id.is_(None))
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


def get_member(session: Session, experiment_id: str, worker_id: str) -> str | None:
    """Return the variant id a worker is in, if they are in the experiment."""
    return session.scalar(
        select(ExperimentMember.variant_id).where(
            ExperimentMember.experiment_id == experiment_id,
            ExperimentMember.worker_id == worker_id,
        )
    )


def ensure_member(session: Session, experiment_id: str, worker_id: str, variant_id: str) -> str:
    """Put a worker in a variant unless they are in one already; return their variant id.

    Two leases of the same worker racing to place them are harmless: the primary key keeps
    the first row and both read it back.
    """
    table = cast("Table", ExperimentMember.__table__)
    statement = upsert_into(backend_name(session), table).on_conflict_do_nothing(
        index_elements=["experiment_id", "worker_id"]
    )
    row = {"experiment_id": experiment_id, "worker_id": worker_id, "variant_id": variant_id}
    session.connection().execute(statement, [row])
    found = get_member(session, experiment_id, worker_id)
    assert found is not None  # inserted above, or there already
    return found


def assignment_arms(session: Session, project_id: str, variant_ids: list[str]) -> dict[str, str]:
    """The arm of each of a project's assignments leased in one of these variants, by id."""
    query = select(Assignment.id, Assignment.variant_id).where(
        Assignment.project_id == project_id, Assignment.variant_id.in_(variant_ids)
    )
    return {assignment_id: str(variant_id) for assignment_id, variant_id in session.execute(query)}
