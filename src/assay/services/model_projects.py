"""Projects that use model endpoints: create one with its model setup, and load the setup."""

from __future__ import annotations

from typing import Any

from assay.domain.project import ProjectCreate, ProjectSettings
from assay.domain.rlhf import _ModelProject
from assay.domain.template import parse_template
from assay.errors import Conflict
from assay.services.actor import Actor
from assay.services.model_endpoints import active_endpoints
from assay.services.projects import load_project, new_project
from assay.store import Session
from assay.store import model_endpoints as store
from assay.store.audit import insert_audit_event
from assay.store.models import Project
from assay.store.models.rlhf import ProjectModelSetup

MODES = ("comparison", "chat", "rubric_eval")


def new_model_project(
    session: Session,
    actor: Actor,
    spec: _ModelProject,
    *,
    mode: str,
    template: dict[str, Any],
    **setup: Any,
) -> tuple[Project, ProjectModelSetup]:
    """Add a project and its model setup to the transaction (no commit).

    Every endpoint must belong to the organisation and be active; ``setup`` sets further
    columns of the setup (e.g. ``randomise_sides``, ``options``).
    """
    endpoints = active_endpoints(session, actor, list(spec.endpoint_ids))
    settings = {name: getattr(spec, name) for name in ProjectSettings.model_fields}
    project = new_project(
        session,
        actor,
        ProjectCreate(
            name=spec.name,
            template=parse_template(template),
            guidelines=spec.guidelines,
            **settings,
        ),
    )
    row = ProjectModelSetup(
        project_id=project.id,
        org_id=actor.org_id,
        mode=mode,
        endpoint_ids=[endpoint.id for endpoint in endpoints],
        system_prompt=spec.system_prompt,
        params=dict(spec.params),
        max_attempts=spec.max_attempts,
        **setup,
    )
    store.insert_setup(session, row)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action=f"{mode}.create",
        object_type="project",
        object_id=project.id,
        after={"endpoint_ids": row.endpoint_ids, "mode": mode},
    )
    return project, row


def load_model_project(
    session: Session, actor: Actor, project_id: str, *modes: str
) -> tuple[Project, ProjectModelSetup]:
    """Return a project of the actor's organisation and its setup, of one of ``modes``."""
    project = load_project(session, actor, project_id)
    setup = store.get_setup(session, actor.org_id, project.id)
    if setup is None or setup.mode not in modes:
        kinds = " or ".join(mode.replace("_", " ") for mode in modes)
        raise Conflict(f"Project {project_id!r} is not a {kinds} project.")
    return project, setup
