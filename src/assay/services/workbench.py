"""Reads the web workbench needs around the worker's loop: open leases, resuming, own quality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from assay.domain.enums import AssignmentStatus, Role
from assay.domain.skills import split_requirement
from assay.errors import LeaseExpired, NotFound
from assay.services import sides
from assay.services.actor import Actor
from assay.services.experiment_variants import serve_assignment
from assay.services.work import Lease, is_qualified, load_working_worker
from assay.store import Session
from assay.store import organisations as org_store
from assay.store import projects as project_store
from assay.store import tasks as task_store
from assay.store import work as work_store
from assay.store import workbench as store
from assay.store.base import utcnow
from assay.store.models import Project


@dataclass(frozen=True)
class OpenLease:
    """An unfinished assignment the worker can resume, on this device or another."""

    assignment_id: str
    project_id: str
    project_name: str
    project_kind: str
    leased_at: datetime
    expires_at: datetime
    has_draft: bool
    rework_reason: str | None


@dataclass(frozen=True)
class ProjectChoice:
    """A project as the worker's queue shows it: open to them, or which skills are missing."""

    project: Project
    qualified: bool
    missing: list[str]


@dataclass(frozen=True)
class QualitySummary:
    """The worker's own record: review outcomes and gold accuracy."""

    responses: int
    accepted: int
    in_review: int
    rejected: int
    gold_answered: int
    gold_correct: int

    @property
    def gold_accuracy(self) -> float | None:
        """Share of gold tasks answered right, when any were answered."""
        return self.gold_correct / self.gold_answered if self.gold_answered else None

    @property
    def acceptance(self) -> float | None:
        """Share of reviewed responses that were accepted."""
        reviewed = self.accepted + self.rejected
        return self.accepted / reviewed if reviewed else None


def list_open_leases(session: Session, actor: Actor) -> list[OpenLease]:
    """List the calling worker's active assignments, rework included, oldest first."""
    worker_id = actor.require_worker()
    assignments = store.list_active_assignments(session, actor.org_id, worker_id)
    projects = {
        p.id: p
        for p in project_store.list_projects_by_ids(
            session, actor.org_id, sorted({a.project_id for a in assignments})
        )
    }
    now = utcnow()
    return [
        OpenLease(
            assignment_id=a.id,
            project_id=a.project_id,
            project_name=projects[a.project_id].name,
            project_kind=projects[a.project_id].kind,
            leased_at=a.leased_at,
            expires_at=a.expires_at,
            has_draft=bool(a.draft),
            rework_reason=a.rework_reason,
        )
        for a in assignments
        if a.project_id in projects and (a.rework_reason is not None or a.expires_at > now)
    ]


def open_lease(session: Session, actor: Actor, assignment_id: str) -> Lease:
    """Resume one of the worker's active assignments (its draft included); commits.

    Rework waits for its author however long it takes, so opening it renews the lease.

    Raises:
        NotFound: not this worker's assignment.
        LeaseExpired: the assignment is no longer active, or its lease ran out.

    """
    assignment = work_store.get_assignment_for_worker(
        session, actor.org_id, assignment_id, actor.require_worker()
    )
    if assignment is None:
        raise NotFound(f"No assignment {assignment_id!r} for this worker.")
    project = project_store.get_project(session, actor.org_id, assignment.project_id)
    task = task_store.get_task(session, actor.org_id, assignment.task_id)
    assert project is not None and task is not None
    now = utcnow()
    if assignment.status != AssignmentStatus.ACTIVE:
        raise LeaseExpired(f"This assignment is {assignment.status}; ask for the next task.")
    if assignment.rework_reason is not None:
        renewed = now + timedelta(seconds=project.lease_seconds)
        assignment.expires_at = max(assignment.expires_at, renewed)
    elif assignment.expires_at <= now:
        raise LeaseExpired()
    # Comparison tasks show the responses in this worker's own left/right order.
    served = serve_assignment(session, project, assignment)
    task = sides.show_sides(session, project, task, assignment)
    session.commit()
    return Lease(assignment, task, project, served.guidelines, served)


def list_project_choices(session: Session, actor: Actor) -> list[ProjectChoice]:
    """Active standard projects, each marked open to the calling worker or not (and why)."""
    worker = load_working_worker(session, actor)
    choices = []
    for project in project_store.list_projects(session, actor.org_id, status="active"):
        if project.kind != "standard":
            continue
        held = worker.skills or {}
        missing = [
            requirement
            for requirement in project.required_skills or []
            if split_requirement(requirement)[0] not in held
        ]
        choices.append(ProjectChoice(project, is_qualified(worker, project), missing))
    return choices


def quality_summary(session: Session, actor: Actor) -> QualitySummary:
    """Summarise the calling worker's review outcomes and gold accuracy."""
    worker_id = actor.require_worker()
    counts = store.count_worker_responses(session, actor.org_id, worker_id)
    return QualitySummary(
        responses=sum(counts.get(s, 0) for s in ("accepted", "in_review", "rejected", "excluded")),
        accepted=counts.get("accepted", 0),
        in_review=counts.get("in_review", 0),
        rejected=counts.get("rejected", 0),
        gold_answered=counts.get("gold_answered", 0),
        gold_correct=counts.get("gold_correct", 0),
    )


def worker_name(session: Session, actor: Actor) -> str:
    """How to greet the calling account: the worker's display name or handle, else the role."""
    if actor.worker_id is None:
        return "Operations" if actor.role in (Role.ADMIN, Role.REQUESTER) else actor.role.value
    worker = org_store.get_worker(session, actor.org_id, actor.worker_id)
    if worker is None:
        return actor.worker_id
    return worker.display_name or worker.handle
