"""Rubric evaluations: create one, add eval items with their rubrics, read the scores."""

from __future__ import annotations

from fastapi import APIRouter, status

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.projects import ProjectPublic
from assay.api.schemas.rlhf import (
    ItemImportPublic,
    ItemScorePublic,
    ModelScorePublic,
    RubricScoresPublic,
)
from assay.domain.rlhf import EvalItemImport, RubricEvalCreate
from assay.services import rubric_evals as service

router = APIRouter(prefix="/v1/rubric-evals", tags=["rubric evaluations"])


@router.post("", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
def create_rubric_eval(
    spec: RubricEvalCreate, actor: ActorDep, session: SessionDep
) -> ProjectPublic:
    """Create a rubric evaluation of one or more model endpoints."""
    return ProjectPublic.model_validate(service.create_rubric_eval(session, actor, spec))


@router.post("/{project_id}/items", response_model=ItemImportPublic)
def import_items(
    project_id: str, spec: EvalItemImport, actor: ActorDep, session: SessionDep
) -> ItemImportPublic:
    """Add eval items, each with its own rubric; the models answer them in background jobs.

    Once an item's answers are in, one grading task per (answer, criterion) opens.
    """
    report = service.import_items(session, actor, project_id, spec)
    return ItemImportPublic(
        created=report.created, existing=report.existing, item_ids=report.item_ids
    )


@router.get("/{project_id}/scores", response_model=RubricScoresPublic)
def scores(project_id: str, actor: ActorDep, session: SessionDep) -> RubricScoresPublic:
    """Scores per model (mean share of rubric points, 95% t-interval) and per graded answer."""
    outcome = service.rubric_eval_scores(session, actor, project_id)
    return RubricScoresPublic(
        models=[ModelScorePublic(**vars(m)) for m in outcome.models],
        items=[
            ItemScorePublic(**{k: v for k, v in vars(i).items() if k != "generation_id"})
            for i in outcome.items
        ],
        answers_pending=outcome.answers_pending,
    )
