"""Ready-made projects: SFT prompt writing and ideal-response writing, reviewed with rubrics."""

from __future__ import annotations

from fastapi import APIRouter, status

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.projects import ProjectPublic
from assay.services.rlhf_presets import PRESETS, PresetProject, create_preset_project

router = APIRouter(prefix="/v1/presets", tags=["presets"])


@router.get("", response_model=list[str])
def list_presets(_actor: ActorDep) -> list[str]:
    """List the names of the ready-made project kinds."""
    return sorted(PRESETS)


@router.post(
    "/{preset}/projects", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED
)
def create_from_preset(
    preset: str, spec: PresetProject, actor: ActorDep, session: SessionDep
) -> ProjectPublic:
    """Create a project from a preset (its template, review stage and guidelines)."""
    return ProjectPublic.model_validate(create_preset_project(session, actor, preset, spec))
