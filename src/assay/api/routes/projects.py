"""Projects, their guidelines and batches."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.projects import BatchPublic, GuidelinesPublic, ProjectPublic, ProjectSummary
from assay.domain.project import GuidelinesIn, ProjectCreate, ProjectUpdate
from assay.services import projects as service

router = APIRouter(prefix="/v1/projects", tags=["projects"])


class BatchCreate(BaseModel):
    """A new, empty batch."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)


@router.post("", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
def create_project(spec: ProjectCreate, actor: ActorDep, session: SessionDep) -> ProjectPublic:
    """Create a project from a template; invalid templates are refused naming the bad field."""
    return ProjectPublic.model_validate(service.create_project(session, actor, spec))


@router.get("", response_model=list[ProjectPublic])
def list_projects(actor: ActorDep, session: SessionDep) -> list[ProjectPublic]:
    """The organisation's projects, newest first."""
    return [ProjectPublic.model_validate(p) for p in service.list_projects(session, actor)]


@router.get("/{project_id}", response_model=ProjectSummary)
def get_project(project_id: str, actor: ActorDep, session: SessionDep) -> ProjectSummary:
    """One project with its task counts by state."""
    project, counts = service.project_summary(session, actor, project_id)
    summary = ProjectSummary.model_validate(project)
    summary.task_counts = counts
    return summary


@router.patch("/{project_id}", response_model=ProjectPublic)
def update_project(
    project_id: str, change: ProjectUpdate, actor: ActorDep, session: SessionDep
) -> ProjectPublic:
    """Change a project's settings (the template is fixed once tasks exist)."""
    return ProjectPublic.model_validate(service.update_project(session, actor, project_id, change))


@router.post(
    "/{project_id}/guidelines", response_model=GuidelinesPublic, status_code=status.HTTP_201_CREATED
)
def publish_guidelines(
    project_id: str, guidelines: GuidelinesIn, actor: ActorDep, session: SessionDep
) -> GuidelinesPublic:
    """Publish a new guideline version; later responses record it."""
    version = service.publish_guidelines(session, actor, project_id, guidelines)
    return GuidelinesPublic.model_validate(version)


@router.get("/{project_id}/guidelines", response_model=list[GuidelinesPublic])
def list_guidelines(
    project_id: str, actor: ActorDep, session: SessionDep
) -> list[GuidelinesPublic]:
    """Every guideline version, newest first."""
    versions = service.list_guidelines(session, actor, project_id)
    return [GuidelinesPublic.model_validate(v) for v in versions]


@router.post(
    "/{project_id}/batches", response_model=BatchPublic, status_code=status.HTTP_201_CREATED
)
def create_batch(
    project_id: str, spec: BatchCreate, actor: ActorDep, session: SessionDep
) -> BatchPublic:
    """Create an empty batch to group tasks in."""
    return BatchPublic.model_validate(service.create_batch(session, actor, project_id, spec.name))


@router.get("/{project_id}/batches", response_model=list[BatchPublic])
def list_batches(project_id: str, actor: ActorDep, session: SessionDep) -> list[BatchPublic]:
    """A project's batches."""
    return [BatchPublic.model_validate(b) for b in service.list_batches(session, actor, project_id)]
