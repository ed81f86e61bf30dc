"""Projects: create from a template, read, change, version guidelines, batches."""

from __future__ import annotations

import secrets
from typing import Any

from assay.domain.enums import Role
from assay.domain.project import GuidelinesIn, ProjectCreate, ProjectUpdate
from assay.errors import InvalidInput, NotFound
from assay.services.actor import Actor
from assay.store import Session
from assay.store import projects as store
from assay.store.audit import insert_audit_event, insert_change_event
from assay.store.base import new_id
from assay.store.models import Batch, GuidelineVersion, Project
from assay.store.tasks import count_tasks_by_state

# Fields whose change is worth an audit entry, with their values before and after.
_AUDITED = (
    "name",
    "redundancy",
    "required_skills",
    "required_locales",
    "gold_rate",
    "pay_per_task_cents",
    "time_estimate_seconds",
    "lease_seconds",
    "callback_url",
    "review_policy",
    "status",
    "description",
)


def _snapshot(project: Project) -> dict[str, Any]:
    return {name: getattr(project, name) for name in _AUDITED}


def load_project(session: Session, actor: Actor, project_id: str) -> Project:
    """A project of the actor's organisation, or NotFound (also for other orgs' ids)."""
    project = store.get_project(session, actor.org_id, project_id)
    if project is None:
        raise NotFound(f"No project {project_id!r} in this organisation.")
    return project


def project_summary(
    session: Session, actor: Actor, project_id: str
) -> tuple[Project, dict[str, int]]:
    """A project and how many of its tasks are in each state."""
    project = load_project(session, actor, project_id)
    return project, count_tasks_by_state(session, project.id)


def create_project(session: Session, actor: Actor, spec: ProjectCreate) -> Project:
    """Store a new project with guideline version 1; commits."""
    actor.require(Role.REQUESTER)
    project = new_project(session, actor, spec)
    session.commit()
    return project


def new_project(
    session: Session, actor: Actor, spec: ProjectCreate, *, kind: str = "standard"
) -> Project:
    """Add a project and its first guideline version to the transaction (no commit)."""
    project = Project(
        kind=kind,
        id=new_id("prj"),
        org_id=actor.org_id,
        name=spec.name,
        description=spec.description,
        template=spec.template.model_dump(mode="json", exclude_none=True),
        redundancy=spec.redundancy,
        required_skills=list(spec.required_skills),
        required_locales=list(spec.required_locales),
        gold_rate=spec.gold_rate,
        pay_per_task_cents=spec.pay_per_task_cents,
        time_estimate_seconds=spec.time_estimate_seconds,
        lease_seconds=spec.lease_seconds,
        callback_url=str(spec.callback_url) if spec.callback_url else None,
        webhook_secret=secrets.token_hex(32),
        review_policy=spec.review_policy.model_dump(mode="json"),
        guideline_version=0,
    )
    session.add(project)
    session.flush()
    _add_guideline_version(session, project, spec.guidelines)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="project.create",
        object_type="project",
        object_id=project.id,
        after=_snapshot(project),
    )
    return project


def update_project(
    session: Session, actor: Actor, project_id: str, change: ProjectUpdate
) -> Project:
    """Apply a partial change; commits and records before/after in the audit log."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    before = _snapshot(project)
    values = change.model_dump(mode="json", exclude_unset=True)
    # null clears the callback URL; for every other field it means "leave as is".
    values = {k: v for k, v in values.items() if v is not None or k == "callback_url"}
    if values.get("callback_url") is not None:
        values["callback_url"] = str(change.callback_url)
    for name, value in values.items():
        setattr(project, name, value)
    after = _snapshot(project)
    insert_change_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="project.update",
        object_type="project",
        object_id=project.id,
        before=before,
        after=after,
    )
    session.commit()
    return project


def list_projects(session: Session, actor: Actor) -> list[Project]:
    """The organisation's projects (any role of the org may read them)."""
    return store.list_projects(session, actor.org_id)


def _add_guideline_version(
    session: Session, project: Project, guidelines: GuidelinesIn
) -> GuidelineVersion:
    project.guideline_version += 1
    version = GuidelineVersion(
        project_id=project.id,
        version=project.guideline_version,
        goal=guidelines.goal,
        principles=list(guidelines.principles),
        examples=[e.model_dump(mode="json") for e in guidelines.examples],
        body=guidelines.body,
    )
    store.insert_guideline_version(session, version)
    return version


def publish_guidelines(
    session: Session, actor: Actor, project_id: str, guidelines: GuidelinesIn
) -> GuidelineVersion:
    """A new guideline version; responses made from now on record it. Commits."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    version = _add_guideline_version(session, project, guidelines)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="guidelines.publish",
        object_type="project",
        object_id=project.id,
        after={"version": version.version},
    )
    session.commit()
    return version


def list_guidelines(session: Session, actor: Actor, project_id: str) -> list[GuidelineVersion]:
    """Every guideline version of a project, newest first."""
    project = load_project(session, actor, project_id)
    return store.list_guideline_versions(session, project.id)


def current_guidelines(session: Session, project: Project) -> GuidelineVersion | None:
    """The version workers are shown now."""
    return store.get_guideline_version(session, project.id, project.guideline_version)


def create_batch(session: Session, actor: Actor, project_id: str, name: str) -> Batch:
    """An empty batch to group tasks in; commits."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    batch = _new_batch(session, project, name)
    session.commit()
    return batch


def _new_batch(session: Session, project: Project, name: str) -> Batch:
    batch = Batch(id=new_id("bat"), org_id=project.org_id, project_id=project.id, name=name)
    session.add(batch)
    session.flush()
    return batch


def resolve_batch(
    session: Session, project: Project, batch_id: str | None, batch_name: str | None
) -> Batch | None:
    """The batch new tasks go into: an existing one, a new named one, or none."""
    if batch_id and batch_name:
        raise InvalidInput("Give either batch_id or batch_name, not both.")
    if batch_id:
        batch = store.get_batch(session, project.org_id, batch_id)
        if batch is None or batch.project_id != project.id:
            raise NotFound(f"No batch {batch_id!r} in this project.")
        return batch
    if batch_name:
        return _new_batch(session, project, batch_name)
    return None


def list_batches(session: Session, actor: Actor, project_id: str) -> list[Batch]:
    """A project's batches."""
    project = load_project(session, actor, project_id)
    return store.list_batches(session, actor.org_id, project.id)
