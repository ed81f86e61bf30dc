"""A/B experiments over HTTP: start one, read its report, stop it or promote a variant."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.quality import ExperimentPublic, PromoteIn
from assay.domain.quality_ops import ExperimentCreate
from assay.services import experiments
from assay.services.experiments import ExperimentView

router = APIRouter(prefix="/v1", tags=["experiments"])


@router.post(
    "/projects/{project_id}/experiments",
    response_model=ExperimentPublic,
    status_code=status.HTTP_201_CREATED,
)
def create_experiment(
    project_id: str, spec: ExperimentCreate, actor: ActorDep, session: SessionDep
) -> ExperimentPublic:
    """Split the project's incoming tasks (or its workers) between a control and a challenger.

    Each variant's `config` overrides what its arm is served: `guideline_version`, `template`
    (same question names and kinds as the project's), `pay_per_task_cents`,
    `time_estimate_seconds`, and quality control: `review_policy` (the stages its responses
    pass) and `gold_rate` (experiments that split workers only: split tasks keep their own
    gold). A lease records its arm; rework and review follow it. 422 names the setting that
    cannot be served.
    """
    return ExperimentPublic.model_validate(
        experiments.create_experiment(session, actor, project_id, spec)
    )


@router.get("/projects/{project_id}/experiments", response_model=list[ExperimentPublic])
def list_experiments(
    project_id: str, actor: ActorDep, session: SessionDep
) -> list[ExperimentPublic]:
    """Return the project's experiments, newest first."""
    return [
        ExperimentPublic.model_validate(e)
        for e in experiments.list_experiments(session, actor, project_id)
    ]


def report_json(view: ExperimentView) -> dict[str, Any]:
    """Return an experiment report as JSON: variants, tests and the recommendation."""
    report = view.report
    return {
        "experiment": ExperimentPublic.model_validate(view.experiment).model_dump(mode="json"),
        "variants": [
            {
                "name": s.variant.name,
                "is_control": s.variant.is_control,
                "config": s.variant.config,
                "responses": s.responses,
                "gold_answered": s.outcome.gold_answered,
                "gold_correct": s.outcome.gold_correct,
                "accuracy": s.outcome.accuracy,
            }
            for s in view.series
        ],
        "metrics": []
        if report is None
        else [
            {
                "metric": m.metric,
                "value_a": m.value_a,
                "value_b": m.value_b,
                "test": m.test.test,
                "p_value": m.test.p_value,
                "q_value": m.q_value,
                "difference": m.test.difference,
                "ci_low": m.test.ci_low,
                "ci_high": m.test.ci_high,
                "better": m.better,
            }
            for m in report.metrics
        ],
        "recommendation": None if report is None else report.recommendation,
        "reasons": [view.note] if report is None else report.reasons,
        "required_gold_per_variant": None if report is None else report.required_gold_per_variant,
    }


@router.get("/experiments/{experiment_id}")
def experiment_report(experiment_id: str, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Each variant's quality, speed and cost with significance tests and a recommendation."""
    return report_json(experiments.experiment_report(session, actor, experiment_id))


@router.post("/experiments/{experiment_id}/stop", response_model=ExperimentPublic)
def stop_experiment(experiment_id: str, actor: ActorDep, session: SessionDep) -> ExperimentPublic:
    """Stop assigning new units to variants."""
    return ExperimentPublic.model_validate(
        experiments.stop_experiment(session, actor, experiment_id)
    )


@router.post("/experiments/{experiment_id}/promote", response_model=ExperimentPublic)
def promote_variant(
    experiment_id: str, body: PromoteIn, actor: ActorDep, session: SessionDep
) -> ExperimentPublic:
    """End the experiment and apply the chosen variant's configuration to the project."""
    return ExperimentPublic.model_validate(
        experiments.promote_variant(session, actor, experiment_id, body.variant)
    )
