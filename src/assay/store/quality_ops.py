"""Queries of quality operations: signals, skill estimates, weights, policies, actions, alarms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.store.base import new_id, utcnow
from assay.store.jobs import insert_job
from assay.store.models import Assignment, Job, Response, Review, Task
from assay.store.models.quality_ops import (
    QualityAction,
    QualityAlarm,
    QualityPolicy,
    QualitySignal,
    WorkerSkillEstimate,
    WorkerWeight,
)
from assay.store.preloads import estimate_table, signal_table


def list_project_responses(session: Session, project_id: str) -> list[Response]:
    """Every response of a project, oldest first (not the errors planted to audit reviewers)."""
    query = (
        select(Response)
        .join(Task, Task.id == Response.task_id)
        .where(Response.project_id == project_id, Task.state != "audit")
    )
    return list(session.scalars(query.order_by(Response.created_at, Response.id)))


def list_project_tasks(session: Session, project_id: str) -> list[Task]:
    """Every task of a project (regular and gold; not the hidden review-audit copies)."""
    query = select(Task).where(Task.project_id == project_id, Task.state != "audit")
    return list(session.scalars(query))


def list_project_reviews(session: Session, project_id: str) -> list[tuple[Review, Response]]:
    """Every review of the project's responses, with the response reviewed."""
    rows = session.execute(
        select(Review, Response)
        .join(Response, Response.id == Review.response_id)
        .join(Task, Task.id == Response.task_id)
        .where(Response.project_id == project_id, Task.state != "audit")
        .order_by(Review.created_at)
    )
    return [(review, response) for review, response in rows]


def list_worker_reviews(
    session: Session, org_id: str, worker_id: str, since: datetime
) -> list[Review]:
    """Reviews of a worker's responses made since ``since``, oldest first (no audit copies)."""
    rows = session.scalars(
        select(Review)
        .join(Response, Response.id == Review.response_id)
        .join(Task, Task.id == Response.task_id)
        .where(
            Response.org_id == org_id,
            Response.worker_id == worker_id,
            Review.created_at >= since,
            Task.state != "audit",
        )
        .order_by(Review.created_at)
    )
    return list(rows)


def gold_counts_by_worker(
    session: Session, project_ids: Sequence[str], statuses: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """Worker id -> (gold answers right, gold answers) over some projects' responses."""
    if not project_ids:
        return {}
    right = func.sum(case((Response.gold_correct.is_(True), 1), else_=0))
    rows = session.execute(
        select(Response.worker_id, right, func.count())
        .join(Task, Task.id == Response.task_id)
        .where(
            Response.project_id.in_(list(project_ids)),
            Response.gold_correct.is_not(None),
            Response.status.in_(list(statuses)),
            Task.state != "audit",
        )
        .group_by(Response.worker_id)
    )
    return {worker_id: (int(hits or 0), int(seen)) for worker_id, hits, seen in rows}


def get_signal(
    session: Session, project_id: str, kind: str, subject_id: str
) -> QualitySignal | None:
    """Return the signal of one detector on one subject."""
    table = signal_table(session, project_id, kind, subject_id)
    if table is not None:
        return table.loaded(session).get((kind, subject_id))
    return session.scalar(
        select(QualitySignal).where(
            QualitySignal.project_id == project_id,
            QualitySignal.kind == kind,
            QualitySignal.subject_id == subject_id,
        )
    )


def get_signal_by_id(session: Session, org_id: str, signal_id: str) -> QualitySignal | None:
    """Return a signal of this organisation."""
    query = select(QualitySignal).where(
        QualitySignal.org_id == org_id, QualitySignal.id == signal_id
    )
    return session.scalar(query)


def save_signal(session: Session, signal: QualitySignal) -> QualitySignal:
    """Insert a new signal (giving it an id) or flush changes to a loaded one."""
    if not signal.id:
        signal.id = new_id("sig")
        session.add(signal)
        table = signal_table(session, signal.project_id, signal.kind, signal.subject_id)
        if table is not None:
            table.loaded(session)[(signal.kind, signal.subject_id)] = signal
    session.flush()
    return signal


def list_signals(
    session: Session,
    project_id: str,
    *,
    status: str | None = None,
    kind: str | None = None,
    worker_id: str | None = None,
    flagged_only: bool = False,
    limit: int = 500,
) -> list[QualitySignal]:
    """Return a project's signals, highest score first."""
    query = select(QualitySignal).where(QualitySignal.project_id == project_id)
    if status:
        query = query.where(QualitySignal.status == status)
    if kind:
        query = query.where(QualitySignal.kind == kind)
    if worker_id:
        query = query.where(
            (QualitySignal.worker_id == worker_id) | (QualitySignal.other_worker_id == worker_id)
        )
    if flagged_only:
        query = query.where(QualitySignal.flagged.is_(True))
    query = query.order_by(QualitySignal.score.desc(), QualitySignal.id).limit(limit)
    return list(session.scalars(query))


def list_worker_signals(session: Session, org_id: str, worker_id: str) -> list[QualitySignal]:
    """Every signal about a worker across the organisation's projects."""
    query = select(QualitySignal).where(
        QualitySignal.org_id == org_id,
        (QualitySignal.worker_id == worker_id) | (QualitySignal.other_worker_id == worker_id),
    )
    return list(session.scalars(query.order_by(QualitySignal.score.desc())))


def upsert_estimate(
    session: Session,
    *,
    org_id: str,
    worker_id: str,
    skill: str,
    source: str,
    mean: float,
    low: float,
    high: float,
    n: float,
) -> None:
    """Store a worker's estimate for one skill and source, replacing the previous one."""
    table = estimate_table(session, skill)
    if table is not None:
        row = table.loaded(session).get((worker_id, source))
    else:
        row = session.scalar(
            select(WorkerSkillEstimate).where(
                WorkerSkillEstimate.worker_id == worker_id,
                WorkerSkillEstimate.skill == skill,
                WorkerSkillEstimate.source == source,
            )
        )
    if row is None:
        row = WorkerSkillEstimate(org_id=org_id, worker_id=worker_id, skill=skill, source=source)
        session.add(row)
        if table is not None:
            table.loaded(session)[(worker_id, source)] = row
    row.mean, row.low, row.high, row.n, row.updated_at = mean, low, high, n, utcnow()


def list_estimates(
    session: Session, org_id: str, *, skill: str | None = None, worker_id: str | None = None
) -> list[WorkerSkillEstimate]:
    """Skill estimates of the organisation, filtered by skill and/or worker."""
    query = select(WorkerSkillEstimate).where(WorkerSkillEstimate.org_id == org_id)
    if skill:
        query = query.where(WorkerSkillEstimate.skill == skill)
    if worker_id:
        query = query.where(WorkerSkillEstimate.worker_id == worker_id)
    return list(session.scalars(query.order_by(WorkerSkillEstimate.worker_id)))


def best_accuracy(session: Session, worker_id: str, skills: Sequence[str]) -> float | None:
    """Return the worker's best combined accuracy over ``skills`` (None: never estimated)."""
    if not skills:
        return None
    value = session.scalar(
        select(func.max(WorkerSkillEstimate.mean)).where(
            WorkerSkillEstimate.worker_id == worker_id,
            WorkerSkillEstimate.skill.in_(list(skills)),
            WorkerSkillEstimate.source == "combined",
        )
    )
    return None if value is None else float(value)


def get_weights(session: Session, project_id: str) -> dict[str, float]:
    """Worker id -> weight for the workers of a project whose weight is not 1."""
    rows = session.execute(
        select(WorkerWeight.worker_id, WorkerWeight.weight).where(
            WorkerWeight.project_id == project_id
        )
    )
    return {worker_id: float(weight) for worker_id, weight in rows}


def set_weight(
    session: Session, *, org_id: str, project_id: str, worker_id: str, weight: float
) -> float:
    """Set a worker's weight in a project; returns the previous weight."""
    row = session.get(WorkerWeight, (project_id, worker_id))
    if row is None:
        row = WorkerWeight(project_id=project_id, worker_id=worker_id, org_id=org_id, weight=1.0)
        session.add(row)
    previous = float(row.weight)
    row.weight, row.updated_at = weight, utcnow()
    session.flush()
    return previous


def get_policy(session: Session, project_id: str) -> QualityPolicy | None:
    """Return a project's quality policy, if one was saved."""
    return session.get(QualityPolicy, project_id)


def save_policy(
    session: Session,
    *,
    org_id: str,
    project_id: str,
    rules: list[Any],
    settings: dict[str, Any],
    actor: str,
) -> QualityPolicy:
    """Insert or replace a project's policy."""
    policy = session.get(QualityPolicy, project_id)
    if policy is None:
        policy = QualityPolicy(project_id=project_id, org_id=org_id)
        session.add(policy)
    policy.rules, policy.settings = rules, settings
    policy.updated_by, policy.updated_at = actor, utcnow()
    session.flush()
    return policy


def insert_action(session: Session, action: QualityAction) -> QualityAction:
    """Record an action (flushed with the change it made)."""
    action.id = action.id or new_id("qac")
    session.add(action)
    session.flush()
    return action


def get_action(session: Session, org_id: str, action_id: str) -> QualityAction | None:
    """Return an action of this organisation."""
    query = select(QualityAction).where(
        QualityAction.org_id == org_id, QualityAction.id == action_id
    )
    return session.scalar(query)


def find_actions(
    session: Session, project_id: str, kind: str, target_id: str
) -> list[QualityAction]:
    """Actions of one kind on one target in a project, newest first (reverted ones included)."""
    query = select(QualityAction).where(
        QualityAction.project_id == project_id,
        QualityAction.kind == kind,
        QualityAction.target_id == target_id,
    )
    return list(session.scalars(query.order_by(QualityAction.created_at.desc())))


def list_actions(
    session: Session, project_id: str, *, target_id: str | None = None, limit: int = 500
) -> list[QualityAction]:
    """Return a project's actions, newest first."""
    query = select(QualityAction).where(QualityAction.project_id == project_id)
    if target_id:
        query = query.where(QualityAction.target_id == target_id)
    query = query.order_by(QualityAction.created_at.desc(), QualityAction.id.desc())
    return list(session.scalars(query.limit(limit)))


def insert_alarm(session: Session, alarm: QualityAlarm) -> QualityAlarm:
    """Record an alarm."""
    alarm.id = alarm.id or new_id("alm")
    session.add(alarm)
    session.flush()
    return alarm


def find_open_alarm(
    session: Session, project_id: str, scope: str, subject_id: str, metric: str
) -> QualityAlarm | None:
    """Return the open alarm on a subject and metric, if any."""
    return session.scalar(
        select(QualityAlarm).where(
            QualityAlarm.project_id == project_id,
            QualityAlarm.scope == scope,
            QualityAlarm.subject_id == subject_id,
            QualityAlarm.metric == metric,
            QualityAlarm.status == "open",
        )
    )


def list_alarms(
    session: Session, project_id: str, *, status: str | None = None
) -> list[QualityAlarm]:
    """Return a project's alarms, newest first."""
    query = select(QualityAlarm).where(QualityAlarm.project_id == project_id)
    if status:
        query = query.where(QualityAlarm.status == status)
    return list(session.scalars(query.order_by(QualityAlarm.created_at.desc())))


def get_alarm(session: Session, org_id: str, alarm_id: str) -> QualityAlarm | None:
    """Return an alarm of this organisation."""
    query = select(QualityAlarm).where(QualityAlarm.org_id == org_id, QualityAlarm.id == alarm_id)
    return session.scalar(query)


def set_response_statuses(session: Session, statuses: dict[str, str]) -> None:
    """Set the status of several responses (by id)."""
    for response_id, status in statuses.items():
        session.execute(
            update(Response)
            .where(Response.id == response_id)
            .values(status=status)
            .execution_options(synchronize_session="fetch")
        )


def count_active_leases(session: Session, task_id: str, now: datetime) -> int:
    """Unexpired active leases on a task."""
    return int(
        session.scalar(
            select(func.count(Assignment.id)).where(
                Assignment.task_id == task_id,
                Assignment.status == "active",
                Assignment.expires_at >= now,
            )
        )
        or 0
    )


def list_open_batch_tasks(session: Session, batch_id: str) -> list[Task]:
    """Return the open tasks of a batch."""
    query = select(Task).where(Task.batch_id == batch_id, Task.state == "open")
    return list(session.scalars(query))


def list_worker_actions(session: Session, org_id: str, worker_id: str) -> list[QualityAction]:
    """Every action on a worker in the organisation, newest first."""
    query = select(QualityAction).where(
        QualityAction.org_id == org_id, QualityAction.target_id == worker_id
    )
    return list(session.scalars(query.order_by(QualityAction.created_at.desc())))


def enqueue_job_once(
    session: Session,
    *,
    org_id: str,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    run_after: datetime,
) -> datetime | None:
    """Add a pending job unless one with ``dedupe_key`` is pending; never fails the caller.

    Returns when the already pending job is due (None when this call added one, or lost a
    race to add it). Two submits racing to enqueue the same project's recompute both find no
    pending job; the second insert then breaks the key's unique index. That is harmless (the
    first one's job will run), so it is undone in a savepoint instead of failing the submit.
    """
    pending = select(Job.run_after).where(Job.dedupe_key == dedupe_key, Job.status == "pending")
    due: datetime | None = session.scalar(pending)
    if due is not None:
        return due
    try:
        with session.begin_nested():
            insert_job(
                session,
                org_id=org_id,
                kind=kind,
                payload=payload,
                dedupe_key=dedupe_key,
                run_after=run_after,
                max_attempts=8,
            )
    except IntegrityError:
        pass
    return None
