"""The work queue: claiming a task for a worker in one statement, and reaping expired leases.

See ``queue.md`` beside this file for why the claim looks the way it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Executable, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from assay.store.engine import backend_name
from assay.store.models import Assignment, GuidelineVersion, Project, Task, Worker
from assay.store.models.quality_ops import Experiment, WorkerSkillEstimate
from assay.store.models.work import ACTIVE


@dataclass(frozen=True)
class ClaimContext:
    """What a claim reads before it picks, in one statement.

    The worker, whether a reviewer sent work back to them (rework comes first), and, when the
    claim names a project, that project, the guideline version it shows now and the A/B
    experiment it runs (if any).
    """

    worker: Worker
    has_rework: bool
    project: Project | None = None
    guidelines: GuidelineVersion | None = None
    experiment: Experiment | None = None


# The hot statements are built once, with bound parameters: building a statement and its
# cache key costs about as much as running it on SQLite.
_ORG: BindParameter[str] = bindparam("org_id")
_WORKER: BindParameter[str] = bindparam("worker_id")


@cache
def _context_statement(with_project: bool) -> Executable:
    rework = (
        select(Assignment.id)
        .where(
            Assignment.org_id == _ORG,
            Assignment.worker_id == Worker.id,
            ACTIVE,
            Assignment.rework_reason.is_not(None),
        )
        .exists()
    )
    worker_is = (Worker.org_id == _ORG, Worker.id == _WORKER)
    if not with_project:
        return select(Worker, rework).where(*worker_is)
    project_is = and_(Project.org_id == _ORG, Project.id == bindparam("project_id"))
    shown = and_(
        GuidelineVersion.project_id == Project.id,
        GuidelineVersion.version == Project.guideline_version,
    )
    # At most one experiment per project runs (experiments refuse a second).
    running = and_(Experiment.project_id == Project.id, Experiment.status == "running")
    return (
        select(Worker, rework, Project, GuidelineVersion, Experiment)
        .select_from(Worker)
        .outerjoin(Project, project_is)
        .outerjoin(GuidelineVersion, shown)
        .outerjoin(Experiment, running)
        .where(*worker_is)
    )


def load_claim_context(
    session: Session, org_id: str, worker_id: str, project_id: str | None
) -> ClaimContext | None:
    """The worker (None when not in the organisation), the rework flag, the named project."""
    params = {"org_id": org_id, "worker_id": worker_id}
    if project_id is None:
        row = session.execute(_context_statement(False), params).first()
        return None if row is None else ClaimContext(row[0], bool(row[1]))
    found = session.execute(_context_statement(True), {**params, "project_id": project_id})
    row = found.first()
    if row is None:
        return None
    worker, has_rework, project, guidelines, experiment = row
    return ClaimContext(worker, bool(has_rework), project, guidelines, experiment)


@cache
def _claim_statement(gold: bool, postgres: bool) -> Executable:
    given = select(Assignment.id).where(
        Assignment.task_id == Task.id, Assignment.worker_id == _WORKER
    )
    if postgres:
        # PostgreSQL may flatten this test into an anti-join that reads every assignment the
        # worker ever had (it does while its statistics think the worker has few, as after a
        # big import): linear in the worker's history. OFFSET 0 keeps it a probe of the
        # (task, worker) index per candidate task, whatever the statistics say.
        given = given.offset(0)
    already_given = given.exists()
    wanted = [
        Task.project_id.in_(bindparam("project_ids", expanding=True)),
        Task.is_gold.is_(gold),
        Task.state == "open",
        ~already_given,
    ]
    # The session may already hold the row, from an earlier claim: refresh it from this one.
    fresh = {"populate_existing": True}
    if gold:
        pick = select(Task).where(*wanted).order_by(Task.priority.desc(), Task.id).limit(1)
        pick = pick.execution_options(**fresh)
        return pick.with_for_update(skip_locked=True) if postgres else pick
    accuracy = (
        select(func.max(WorkerSkillEstimate.mean))
        .where(
            WorkerSkillEstimate.worker_id == _WORKER,
            WorkerSkillEstimate.skill.in_(bindparam("skills", expanding=True)),
            WorkerSkillEstimate.source == "combined",
        )
        .scalar_subquery()
    )
    expert_ok = or_(Task.min_worker_accuracy.is_(None), Task.min_worker_accuracy <= accuracy)
    candidate = (
        select(Task.id)
        .where(*wanted, Task.open_slots > 0, expert_ok)
        .order_by(Task.priority.desc(), Task.id)
        .limit(1)
    )
    if postgres:
        candidate = candidate.with_for_update(skip_locked=True)
    take_slot = (
        update(Task)
        .where(Task.id == candidate.scalar_subquery(), Task.open_slots > 0)
        .values(open_slots=Task.open_slots - 1)
        .returning(Task)
    )
    # Read as a plain source of Task rows: an ORM-enabled UPDATE would first set up the bulk
    # update machinery (synchronising the session, evaluating criteria) for one row.
    return select(Task).from_statement(take_slot).execution_options(**fresh)


def claim_task(
    session: Session,
    *,
    project_ids: Sequence[str],
    worker_id: str,
    gold: bool,
    skills: Sequence[str] = (),
) -> Task | None:
    """Take one slot of the best open task the worker has never been given; the task or None.

    Regular tasks: the slot count drops by one in the same statement that picks the row, so a
    task is never leased to more workers than its redundancy; the row comes back from that
    statement (``RETURNING``). Gold tasks have no slot limit: every worker may meet each gold
    task once. A task whose extra slot the delivery gate bought for experts
    (``min_worker_accuracy``) goes only to workers whose best combined accuracy over
    ``skills`` reaches it (read in the same statement).
    """
    if not project_ids:
        return None
    statement = _claim_statement(gold, backend_name(session) == "postgresql")
    params: dict[str, Any] = {"project_ids": list(project_ids), "worker_id": worker_id}
    if not gold:
        params["skills"] = list(skills)
    task: Task | None = session.scalar(statement, params)
    return task


@cache
def _lease_statement() -> Select[Assignment, Task, Project]:
    return (
        select(Assignment, Task, Project)
        .join(Task, Task.id == Assignment.task_id)
        .join(Project, Project.id == Assignment.project_id)
        .where(
            Assignment.org_id == _ORG,
            Assignment.id == bindparam("assignment_id"),
            Assignment.worker_id == _WORKER,
        )
        .with_for_update(of=[Assignment, Task])
        # A bulk update (lease reaping) may have changed rows the session already holds.
        .execution_options(populate_existing=True)
    )


def lock_lease(
    session: Session, org_id: str, assignment_id: str, worker_id: str
) -> tuple[Assignment, Task, Project] | None:
    """The worker's assignment with its task and project, read fresh in one statement.

    The assignment and task rows stay locked until the transaction ends (PostgreSQL; SQLite
    already holds the database's write lock), as a submit needs.
    """
    params = {"org_id": org_id, "assignment_id": assignment_id, "worker_id": worker_id}
    row = session.execute(_lease_statement(), params).first()
    return None if row is None else (row[0], row[1], row[2])


# When this process last reaped each project, by the clock claims pass in (``now``).
_reaped_at: dict[str, datetime] = {}
_REAPED_AT_LIMIT = 10_000


def reap_expired_leases(
    session: Session,
    *,
    project_ids: Sequence[str],
    now: datetime,
    limit: int = 200,
    every: timedelta = timedelta(0),
) -> int:
    """Expire overdue leases and give their slots back to the pool; how many were reaped.

    With ``every``, a project this process reaped less than ``every`` ago (by ``now``) is
    skipped: claims come many times a second, and a slot that comes back a second later
    than it could have is harmless. A sweep that hit ``limit`` is not remembered, so the
    next claim goes on reaping.
    """
    if every:
        project_ids = [p for p in project_ids if not _reaped_recently(p, now, every)]
    if not project_ids:
        return 0
    reaped = _reap(session, project_ids, now, limit)
    if every and reaped < limit:
        if len(_reaped_at) > _REAPED_AT_LIMIT:
            _reaped_at.clear()
        _reaped_at.update(dict.fromkeys(project_ids, now))
    return reaped


def _reaped_recently(project_id: str, now: datetime, every: timedelta) -> bool:
    last = _reaped_at.get(project_id)
    return last is not None and last <= now < last + every


def _reap(session: Session, project_ids: Sequence[str], now: datetime, limit: int) -> int:
    overdue = (
        select(Assignment.id, Assignment.task_id, Task.is_gold)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            Assignment.project_id.in_(list(project_ids)),
            Assignment.status == "active",
            Assignment.expires_at < now,
        )
        .limit(limit)
    )
    if backend_name(session) == "postgresql":
        overdue = overdue.with_for_update(of=Assignment, skip_locked=True)
    rows = session.execute(overdue).all()
    if not rows:
        return 0
    session.execute(
        update(Assignment)
        .where(Assignment.id.in_([row.id for row in rows]))
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    give_back = [{"b_task_id": row.task_id} for row in rows if not row.is_gold]
    if give_back:
        session.connection().execute(
            update(Task)
            .where(Task.id == bindparam("b_task_id"))
            .values(open_slots=Task.open_slots + 1),
            give_back,
        )
    return len(rows)


def return_slot(session: Session, task_id: str) -> None:
    """Give one lease slot back (a worker released or skipped the task)."""
    session.execute(
        update(Task)
        .where(Task.id == task_id, Task.is_gold.is_(False))
        .values(open_slots=Task.open_slots + 1)
        .execution_options(synchronize_session=False)
    )
