"""The worker's loop: lease the next task, keep the lease alive, submit or release it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assay.domain.answers import answer_key, validate_answer
from assay.domain.enums import AssignmentStatus, TaskState
from assay.errors import Conflict, LeaseExpired, NoTaskAvailable, NotFound, PermissionDenied
from assay.services.actor import Actor
from assay.services.projects import current_guidelines
from assay.services.results import aggregate_result
from assay.services.tasks import project_template
from assay.services.webhooks import enqueue_result_delivery
from assay.store import Session
from assay.store import organisations as org_store
from assay.store import projects as project_store
from assay.store import queue
from assay.store import tasks as task_store
from assay.store import work as store
from assay.store.audit import insert_audit_event
from assay.store.base import new_id, utcnow
from assay.store.models import Assignment, GuidelineVersion, Project, Response, Task, Worker

_WORKING_STATUSES = ("active", "probation")
_CLAIM_ATTEMPTS = 3


@dataclass(frozen=True)
class Lease:
    """A leased task as the worker sees it: never the gold answer, never others' responses."""

    assignment: Assignment
    task: Task
    project: Project
    guidelines: GuidelineVersion | None


def _working_worker(session: Session, actor: Actor) -> Worker:
    worker = org_store.get_worker(session, actor.org_id, actor.require_worker())
    if worker is None or worker.status not in _WORKING_STATUSES:
        raise PermissionDenied("This worker is not active, so it cannot take tasks.")
    return worker


def is_qualified(worker: Worker, project: Project) -> bool:
    """The worker holds every skill the project requires and, if any, one of its locales."""
    skills = set(worker.skills or {})
    if not set(project.required_skills or []) <= skills:
        return False
    wanted = set(project.required_locales or [])
    return not wanted or bool(wanted & set(worker.locales or []))


def _eligible_projects(
    session: Session, actor: Actor, worker: Worker, project_id: str | None
) -> list[Project]:
    if project_id is None:
        candidates = project_store.list_projects(session, actor.org_id, status="active")
        return [p for p in candidates if is_qualified(worker, p)]
    project = project_store.get_project(session, actor.org_id, project_id)
    if project is None:
        raise NotFound(f"No project {project_id!r} in this organisation.")
    if not is_qualified(worker, project):
        raise PermissionDenied("This project needs skills or a locale this worker does not hold.")
    return [project] if project.status == "active" else []


def _pick_task(
    session: Session, projects: list[Project], worker_id: str, rng: random.Random
) -> str | None:
    ids = [p.id for p in projects]
    gold_rate = max((p.gold_rate for p in projects), default=0.0)
    if gold_rate > 0 and rng.random() < gold_rate:
        gold_id = queue.claim_task(session, project_ids=ids, worker_id=worker_id, gold=True)
        if gold_id is not None:
            return gold_id
    return queue.claim_task(session, project_ids=ids, worker_id=worker_id, gold=False)


def claim_next(
    session: Session,
    actor: Actor,
    project_id: str | None = None,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Lease:
    """Lease the best task the worker may do; commits. NoTaskAvailable when there is none."""
    worker = _working_worker(session, actor)
    projects = _eligible_projects(session, actor, worker, project_id)
    now = now or utcnow()
    rng = rng or random.Random()
    queue.reap_expired_leases(session, project_ids=[p.id for p in projects], now=now)
    for _attempt in range(_CLAIM_ATTEMPTS):
        task_id = _pick_task(session, projects, worker.id, rng)
        if task_id is None:
            session.commit()
            raise NoTaskAvailable()
        task = task_store.get_task(session, actor.org_id, task_id)
        assert task is not None
        project = next(p for p in projects if p.id == task.project_id)
        assignment = Assignment(
            id=new_id("asg"), org_id=actor.org_id, project_id=project.id, task_id=task.id,
            worker_id=worker.id, status=AssignmentStatus.ACTIVE.value, leased_at=now,
            expires_at=now + timedelta(seconds=project.lease_seconds),
            guideline_version=project.guideline_version,
            model_suggestion=task.payload.get("model_suggestion") if task.payload else None,
        )
        try:
            store.insert_assignment(session, assignment)
        except Conflict:
            # The same worker won a race against themselves; the slot goes back, try again.
            session.rollback()
            continue
        session.commit()
        return Lease(assignment, task, project, current_guidelines(session, project))
    raise NoTaskAvailable("The queue is busy; try again.")


def _own_assignment(session: Session, actor: Actor, assignment_id: str) -> Assignment:
    assignment = store.get_assignment_for_worker(
        session, actor.org_id, assignment_id, actor.require_worker(), lock=True
    )
    if assignment is None:
        raise NotFound(f"No assignment {assignment_id!r} for this worker.")
    return assignment


def _gold_verdict(project: Project, task: Task, answer: dict[str, Any]) -> bool | None:
    if not task.is_gold or not task.gold_answer:
        return None
    template = project_template(project)
    by_name = {q.name: q for q in template.questions}
    return all(
        answer_key(by_name[name], answer.get(name)) == answer_key(by_name[name], expected)
        for name, expected in task.gold_answer.items()
        if name in by_name
    )


@dataclass(frozen=True)
class Submission:
    """A submit's outcome; ``replayed`` is true when it repeated an earlier identical submit."""

    response: Response
    replayed: bool


def submit_response(
    session: Session,
    actor: Actor,
    assignment_id: str,
    answer: object,
    *,
    active_time_ms: int | None = None,
    telemetry: dict[str, Any] | None = None,
) -> Submission:
    """Store the answer and close the lease atomically; commits. A retried submit is harmless."""
    assignment = _own_assignment(session, actor, assignment_id)
    task = task_store.get_task_for_update(session, assignment.task_id)
    project = project_store.get_project(session, actor.org_id, assignment.project_id)
    assert task is not None and project is not None
    normalised = validate_answer(project_template(project), answer, task.payload)
    if assignment.status == AssignmentStatus.SUBMITTED:
        earlier = store.get_response_by_assignment(session, assignment.id)
        if earlier is not None and earlier.answer == normalised:
            session.rollback()
            return Submission(earlier, replayed=True)
        raise Conflict("This assignment was already submitted with a different answer.")
    if assignment.status != AssignmentStatus.ACTIVE:
        raise LeaseExpired()
    if task.state == TaskState.CANCELLED:
        raise Conflict("The task was cancelled by its requester; ask for the next task.")
    now = utcnow()
    response = Response(
        id=new_id("rsp"), org_id=actor.org_id, project_id=project.id, task_id=task.id,
        assignment_id=assignment.id, worker_id=assignment.worker_id, answer=normalised,
        guideline_version=assignment.guideline_version,
        model_suggestion=assignment.model_suggestion, active_time_ms=active_time_ms,
        telemetry=telemetry or {}, gold_correct=_gold_verdict(project, task, normalised),
        created_at=now,
    )
    store.insert_response(session, response)
    assignment.status = AssignmentStatus.SUBMITTED.value
    assignment.submitted_at = now
    assignment.draft = None
    if not task.is_gold:
        _count_response(session, project, task, now)
    session.commit()
    return Submission(response, replayed=False)


def _count_response(session: Session, project: Project, task: Task, now: datetime) -> None:
    task.response_count += 1
    if task.state != TaskState.OPEN or task.response_count < task.redundancy:
        return
    task.state = TaskState.COMPLETE.value
    task.completed_at = now
    responses = store.list_task_responses(session, task.id)
    result = aggregate_result(
        project_template(project), task.id, task.org_id, project.id, responses
    )
    store.save_result(session, result)
    enqueue_result_delivery(session, task.id)


def heartbeat(
    session: Session, actor: Actor, assignment_id: str, draft: dict[str, Any] | None = None
) -> Assignment:
    """Extend an active lease (and keep a draft server-side); commits."""
    assignment = _own_assignment(session, actor, assignment_id)
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
    assignment = _own_assignment(session, actor, assignment_id)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise Conflict(f"This assignment is {assignment.status}; only active ones can be released.")
    assignment.status = AssignmentStatus.RELEASED.value
    queue.return_slot(session, assignment.task_id)
    insert_audit_event(
        session, org_id=actor.org_id, actor=actor.label, action="assignment.release",
        object_type="assignment", object_id=assignment.id, after={"reason": reason[:500]},
    )
    session.commit()
    return assignment
