"""The worker's loop: lease the next task, keep the lease alive, submit or release it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assay.domain.enums import AssignmentStatus
from assay.domain.skills import meets_requirements, speaks_any
from assay.errors import Conflict, LeaseExpired, NoTaskAvailable, NotFound, PermissionDenied
from assay.services import sides
from assay.services.actor import Actor
from assay.services.experiment_variants import (
    ServedVersion,
    serve_assignment,
    serve_lease_under,
    worker_gold_rate,
)
from assay.services.quality_data import skill_key
from assay.store import Session, leading_reads, queue
from assay.store import experiments as experiment_store
from assay.store import organisations as org_store
from assay.store import projects as project_store
from assay.store import tasks as task_store
from assay.store import work as store
from assay.store.audit import insert_audit_event
from assay.store.base import new_id, utcnow
from assay.store.models import Assignment, GuidelineVersion, Project, Task, Worker
from assay.store.models.quality_ops import Experiment

_WORKING_STATUSES = ("active", "probation")
# Applicants may take qualification tests, and nothing else.
_TESTING_STATUSES = ("active", "probation", "applicant")
_CLAIM_ATTEMPTS = 3
# How often one server process looks for expired leases of a project (see store/queue.md).
REAP_EVERY = timedelta(seconds=1)


@dataclass(frozen=True)
class Lease:
    """A leased task as the worker sees it: never the gold answer, never others' responses.

    ``served`` is what the lease shows and is held to (template, pay, time estimate and
    guideline version): the project's own, or its experiment arm's.
    """

    assignment: Assignment
    task: Task
    project: Project
    guidelines: GuidelineVersion | None
    served: ServedVersion


def load_working_worker(session: Session, actor: Actor) -> Worker:
    """The calling worker, if their status lets them take any task at all."""
    worker = org_store.get_worker(session, actor.org_id, actor.require_worker())
    if worker is None or worker.status not in _TESTING_STATUSES:
        raise PermissionDenied("This worker is paused or removed, so it cannot take tasks.")
    return worker


def is_qualified(worker: Worker, project: Project) -> bool:
    """Whether the worker may take the project's tasks.

    Qualification tests are open to every worker who may work (applicants included); other
    projects need an active or probation worker holding every required skill at its level
    and, when locales are required, one of them.
    """
    if project.kind == "qualification":
        return worker.status in _TESTING_STATUSES
    if worker.status not in _WORKING_STATUSES:
        return False
    if not meets_requirements(worker.skills or {}, project.required_skills or []):
        return False
    return speaks_any(worker.locales or [], project.required_locales or [])


def _eligible_projects(
    session: Session, actor: Actor, context: queue.ClaimContext, project_id: str | None
) -> list[Project]:
    worker = context.worker
    if project_id is None:
        # Without a project, only real work is served: tests are taken on purpose.
        candidates = project_store.list_projects(session, actor.org_id, status="active")
        return [p for p in candidates if p.kind == "standard" and is_qualified(worker, p)]
    project = context.project
    if project is None:
        raise NotFound(f"No project {project_id!r} in this organisation.")
    if not is_qualified(worker, project):
        raise PermissionDenied("This project needs skills or a locale this worker does not hold.")
    return [project] if project.status == "active" else []


def _running_experiments(
    session: Session, context: queue.ClaimContext, projects: list[Project]
) -> dict[str, Experiment]:
    """The experiments the projects run; a claim naming its project read it with the context."""
    if context.project is not None:
        running = context.experiment
        return {context.project.id: running} if running is not None else {}
    return experiment_store.running_experiments(session, [p.id for p in projects])


def _pick_task(
    session: Session,
    projects: list[Project],
    worker_id: str,
    experiments: dict[str, Experiment],
    rng: random.Random,
) -> Task | None:
    ids = [p.id for p in projects]
    if all(p.kind == "qualification" for p in projects):
        return queue.claim_task(session, project_ids=ids, worker_id=worker_id, gold=True)
    gold_rate = max(
        (worker_gold_rate(session, p, experiments.get(p.id), worker_id) for p in projects),
        default=0.0,
    )
    if gold_rate > 0 and rng.random() < gold_rate:
        gold = queue.claim_task(session, project_ids=ids, worker_id=worker_id, gold=True)
        if gold is not None:
            return gold
    skills = [skill_key(p) for p in projects]
    return queue.claim_task(
        session, project_ids=ids, worker_id=worker_id, gold=False, skills=skills
    )


def claim_next(
    session: Session,
    actor: Actor,
    project_id: str | None = None,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Lease:
    """Lease the best task the worker may do; commits. NoTaskAvailable when there is none.

    Reads the worker, the project and its guidelines in one statement (on SQLite before the
    write lock is taken, so other writers do not wait on it), claims and reads the task in
    another, and stores the lease: three statements and one commit in the usual case.
    """
    with leading_reads(session):
        worker_id = actor.require_worker()
        context = queue.load_claim_context(session, actor.org_id, worker_id, project_id)
        if context is None or context.worker.status not in _TESTING_STATUSES:
            raise PermissionDenied("This worker is paused or removed, so it cannot take tasks.")
        projects = _eligible_projects(session, actor, context, project_id)
        experiments = _running_experiments(session, context, projects)
    worker = context.worker
    now = now or utcnow()
    if context.has_rework:
        rework = _pending_rework(session, worker, projects, now)
        if rework is not None:
            return rework
    rng = rng or random.Random()
    ids = [p.id for p in projects]
    queue.reap_expired_leases(session, project_ids=ids, now=now, every=REAP_EVERY)
    for attempt in range(_CLAIM_ATTEMPTS):
        task = _pick_task(session, projects, worker.id, experiments, rng)
        if task is None:
            session.commit()
            raise NoTaskAvailable()
        project = next(p for p in projects if p.id == task.project_id)
        # The guidelines read with the project belong to its guideline_version. A rollback
        # expired the project (it is read again), so then its guidelines are looked up anew.
        fresh = attempt == 0 and context.project is project
        current = context.guidelines if fresh else None
        experiment = experiments.get(project.id)
        served = serve_lease_under(session, project, task, worker.id, experiment, current=current)
        assignment = Assignment(
            id=new_id("asg"),
            org_id=actor.org_id,
            project_id=project.id,
            task_id=task.id,
            worker_id=worker.id,
            status=AssignmentStatus.ACTIVE.value,
            leased_at=now,
            expires_at=now + timedelta(seconds=project.lease_seconds),
            guideline_version=served.guideline_version,
            model_suggestion=task.payload.get("model_suggestion") if task.payload else None,
            variant_id=served.variant_id,
        )
        try:
            store.insert_assignment(session, assignment)
        except Conflict:
            # The same worker won a race against themselves; the slot goes back, try again.
            session.rollback()
            continue
        shown = sides.assign_sides(session, project, task, assignment, rng)
        session.commit()
        return Lease(assignment, shown, project, served.guidelines, served)
    raise NoTaskAvailable("The queue is busy; try again.")


def _pending_rework(
    session: Session, worker: Worker, projects: list[Project], now: datetime
) -> Lease | None:
    """Work a reviewer sent back comes before anything new."""
    by_id = {p.id: p for p in projects}
    for assignment in store.list_rework(session, worker.org_id, worker.id):
        project = by_id.get(assignment.project_id)
        if project is None:
            continue
        assignment.expires_at = max(
            assignment.expires_at, now + timedelta(seconds=project.lease_seconds)
        )
        task = task_store.get_task(session, worker.org_id, assignment.task_id)
        assert task is not None
        served = serve_assignment(session, project, assignment)
        task = sides.show_sides(session, project, task, assignment)
        session.commit()
        return Lease(assignment, task, project, served.guidelines, served)
    return None


def own_assignment(session: Session, actor: Actor, assignment_id: str) -> Assignment:
    """The calling worker's assignment, locked for the rest of the transaction, or NotFound."""
    assignment = store.get_assignment_for_worker(
        session, actor.org_id, assignment_id, actor.require_worker(), lock=True
    )
    if assignment is None:
        raise NotFound(f"No assignment {assignment_id!r} for this worker.")
    return assignment


def heartbeat(
    session: Session, actor: Actor, assignment_id: str, draft: dict[str, Any] | None = None
) -> Assignment:
    """Extend an active lease (and keep a draft server-side); commits."""
    assignment = own_assignment(session, actor, assignment_id)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise LeaseExpired()
    project = project_store.get_project(session, actor.org_id, assignment.project_id)
    assert project is not None
    now = utcnow()
    if assignment.expires_at < now:
        raise LeaseExpired()
    assignment.heartbeat_at = now
    assignment.expires_at = now + timedelta(seconds=project.lease_seconds)
    if draft is not None:
        assignment.draft = draft
    session.commit()
    return assignment


def release(session: Session, actor: Actor, assignment_id: str, reason: str = "") -> Assignment:
    """Give the task back unanswered (a skip); its slot returns to the pool. Commits."""
    assignment = own_assignment(session, actor, assignment_id)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise Conflict(f"This assignment is {assignment.status}; only active ones can be released.")
    assignment.status = AssignmentStatus.RELEASED.value
    queue.return_slot(session, assignment.task_id)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="assignment.release",
        object_type="assignment",
        object_id=assignment.id,
        after={"reason": reason[:500]},
    )
    session.commit()
    return assignment
