"""Qualification tests: gold tasks with a pass rule; passing grants a skill at a level."""

from __future__ import annotations

from dataclasses import dataclass

from assay.domain.enums import Role
from assay.domain.project import GuidelinesIn, ProjectCreate
from assay.domain.skills import SkillLevel
from assay.domain.task import TaskImport
from assay.domain.workforce import QualificationCreate
from assay.errors import NotFound
from assay.services.actor import Actor
from assay.services.projects import load_project, new_project
from assay.services.tasks import store_tasks
from assay.store import Session
from assay.store import organisations as org_store
from assay.store import projects as project_store
from assay.store import work as work_store
from assay.store.audit import insert_audit_event
from assay.store.models import Project
from assay.store.tasks import count_tasks_by_state


@dataclass(frozen=True)
class QualificationStatus:
    """How far a worker is through a test, and its outcome once enough is answered."""

    project_id: str
    name: str
    skill: str
    level: str
    answered: int
    correct: int
    required: int
    min_accuracy: float
    passed: bool | None

    @property
    def accuracy(self) -> float | None:
        """Share of answered gold tasks that were right."""
        return self.correct / self.answered if self.answered else None


def create_qualification_test(session: Session, actor: Actor, spec: QualificationCreate) -> Project:
    """A qualification project with its gold tasks, in one transaction; commits."""
    actor.require(Role.REQUESTER)
    project = new_project(
        session,
        actor,
        ProjectCreate(
            name=spec.name,
            template=spec.template,
            redundancy=1,
            guidelines=GuidelinesIn(goal=spec.guidelines_goal),
        ),
        kind="qualification",
    )
    project.qualification = {
        "skill": spec.skill,
        "level": spec.level,
        "min_accuracy": spec.min_accuracy,
        "min_answers": spec.min_answers or len(spec.tasks),
    }
    store_tasks(session, actor, project, TaskImport(tasks=spec.tasks))
    session.commit()
    return project


def _status(session: Session, project: Project, worker_id: str) -> QualificationStatus:
    rule = project.qualification or {}
    total = sum(count_tasks_by_state(session, project.id).values())
    required = min(int(rule.get("min_answers", total)), total)
    answered, correct = work_store.count_worker_answers(session, project.id, worker_id)
    passed = None
    if answered >= required > 0:
        passed = correct / answered >= float(rule.get("min_accuracy", 1.0))
    return QualificationStatus(
        project_id=project.id,
        name=project.name,
        skill=str(rule.get("skill", "")),
        level=str(rule.get("level", "novice")),
        answered=answered,
        correct=correct,
        required=required,
        min_accuracy=float(rule.get("min_accuracy", 1.0)),
        passed=passed,
    )


def evaluate_qualification(session: Session, project: Project, worker_id: str) -> None:
    """After each answer: once enough are in, grant the skill on a pass (flush, no commit)."""
    session.flush()
    status = _status(session, project, worker_id)
    if status.passed is None or status.answered != status.required:
        return  # not finished, or already decided by an earlier answer
    worker = org_store.get_worker(session, project.org_id, worker_id)
    assert worker is not None
    before = {"skills": dict(worker.skills or {}), "status": worker.status}
    if status.passed:
        held = (worker.skills or {}).get(status.skill)
        if held is None or SkillLevel.parse(held) < SkillLevel.parse(status.level):
            worker.skills = {**(worker.skills or {}), status.skill: status.level}
        if worker.status == "applicant":
            worker.status = "probation"
    insert_audit_event(
        session,
        org_id=project.org_id,
        actor="system:qualification",
        action="qualification.pass" if status.passed else "qualification.fail",
        object_type="worker",
        object_id=worker_id,
        before=before,
        after={
            "skills": dict(worker.skills or {}),
            "status": worker.status,
            "test": project.id,
            "accuracy": status.accuracy,
        },
    )


def list_qualification_tests(session: Session, actor: Actor) -> list[QualificationStatus]:
    """Active tests with the calling worker's progress on each."""
    worker_id = actor.require_worker()
    tests = project_store.list_projects(session, actor.org_id, status="active")
    return [_status(session, p, worker_id) for p in tests if p.kind == "qualification"]


def qualification_status(session: Session, actor: Actor, project_id: str) -> QualificationStatus:
    """The calling worker's progress and outcome on one test."""
    worker_id = actor.require_worker()
    project = load_project(session, actor, project_id)
    if project.kind != "qualification":
        raise NotFound(f"Project {project_id!r} is not a qualification test.")
    return _status(session, project, worker_id)
