"""Which model setup (comparison, chat, rubric evaluation) each of several projects has."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.store.models.rlhf import ProjectModelSetup


def list_setup_modes(session: Session, org_id: str, project_ids: Sequence[str]) -> dict[str, str]:
    """Map each of the projects that has a model setup to its mode, in one query."""
    if not project_ids:
        return {}
    query = select(ProjectModelSetup.project_id, ProjectModelSetup.mode).where(
        ProjectModelSetup.org_id == org_id, ProjectModelSetup.project_id.in_(list(project_ids))
    )
    return {project_id: mode for project_id, mode in session.execute(query)}
