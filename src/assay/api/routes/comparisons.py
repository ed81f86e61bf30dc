"""Comparison projects: create, import prompts, and follow (or retry) their model generations."""

from __future__ import annotations

from fastapi import APIRouter, status

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.projects import ProjectPublic
from assay.api.schemas.rlhf import (
    GenerationFailurePublic,
    GenerationStatusPublic,
    RetryPublic,
    RetryRequest,
)
from assay.api.schemas.tasks import ImportReportPublic
from assay.domain.rlhf import ComparisonCreate, PromptImport
from assay.services import comparisons as service

router = APIRouter(prefix="/v1", tags=["comparisons"])


@router.post("/comparisons", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
def create_comparison(
    spec: ComparisonCreate, actor: ActorDep, session: SessionDep
) -> ProjectPublic:
    """Create a comparison project: two or more models answer each prompt, workers compare.

    Workers pick the better response with a strength, rate each axis (by default helpfulness,
    honesty, harmlessness and instruction following) and write a reason. They never see which
    model wrote which response, and each worker gets the two in their own random order.
    """
    return ProjectPublic.model_validate(service.create_comparison_project(session, actor, spec))


@router.post("/comparisons/{project_id}/prompts", response_model=ImportReportPublic)
def import_prompts(
    project_id: str, spec: PromptImport, actor: ActorDep, session: SessionDep
) -> ImportReportPublic:
    """Add prompts (idempotent by `unique_id`); the models answer them in background jobs.

    A task can be leased only once every model has answered; follow progress with
    `GET /v1/projects/{id}/generations`.
    """
    return ImportReportPublic(**vars(service.import_prompts(session, actor, project_id, spec)))


@router.get("/projects/{project_id}/generations", response_model=GenerationStatusPublic)
def generation_status(
    project_id: str, actor: ActorDep, session: SessionDep
) -> GenerationStatusPublic:
    """Count the project's model responses by status (pending, done, failed); list failures."""
    outcome = service.generation_status(session, actor, project_id)
    return GenerationStatusPublic(
        counts=outcome.counts,
        failed=[GenerationFailurePublic.model_validate(g) for g in outcome.failed],
    )


@router.post("/projects/{project_id}/generations/retry", response_model=RetryPublic)
def retry_generations(
    project_id: str, request: RetryRequest, actor: ActorDep, session: SessionDep
) -> RetryPublic:
    """Queue failed (or stalled) generations again with a fresh attempt budget."""
    return RetryPublic(
        queued=service.retry_generations(session, actor, project_id, request.task_ids)
    )
