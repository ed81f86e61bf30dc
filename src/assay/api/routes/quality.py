"""Quality operations over HTTP: settings, recompute, signals, actions, the gate, SPC, gold."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.quality import (
    ActionIn,
    ActionPublic,
    AlarmPublic,
    DashboardPublic,
    EstimatePublic,
    GatePublic,
    GoldPublic,
    NoteIn,
    QualitySettingsPublic,
    RecomputePublic,
    ReleaseIn,
    RotateGoldIn,
    SeriesPointPublic,
    SignalPublic,
)
from assay.domain.quality_ops import QualitySettingsIn, SeedReviewErrors
from assay.services import (
    diversity,
    gold_lifecycle,
    quality_dashboards,
    quality_jobs,
    quality_policy,
    quality_review,
    reviewer_audits,
)
from assay.services.quality_review import GateView

router = APIRouter(prefix="/v1", tags=["quality"])


def _settings(
    project_id: str,
    quality_target: float | None,
    max_responses: int | None,
    policy: quality_policy.Policy,
) -> QualitySettingsPublic:
    return QualitySettingsPublic(
        project_id=project_id,
        quality_target=quality_target,
        max_responses=max_responses,
        rules=policy.rules,
        settings=policy.settings,
    )


@router.get("/projects/{project_id}/quality/settings", response_model=QualitySettingsPublic)
def read_settings(project_id: str, actor: ActorDep, session: SessionDep) -> QualitySettingsPublic:
    """Return the delivery target, response cap, policy rules and settings in force."""
    project, policy = quality_policy.read_quality_settings(session, actor, project_id)
    return _settings(project.id, project.quality_target, project.max_responses, policy)


@router.put("/projects/{project_id}/quality/settings", response_model=QualitySettingsPublic)
def update_settings(
    project_id: str, change: QualitySettingsIn, actor: ActorDep, session: SessionDep
) -> QualitySettingsPublic:
    """Set an accuracy target (e.g. 0.95), the response cap, rules and settings (audited)."""
    project, policy = quality_policy.update_quality_settings(
        session,
        actor,
        project_id,
        quality_target=change.quality_target,
        max_responses=change.max_responses,
        rules=change.rules,
        settings=change.settings,
        clear_target=change.clear_target,
    )
    return _settings(project.id, project.quality_target, project.max_responses, policy)


@router.post("/projects/{project_id}/quality/recompute", response_model=RecomputePublic)
def recompute(project_id: str, actor: ActorDep, session: SessionDep) -> RecomputePublic:
    """Run truth inference, scoring, detectors, policies, SPC and the gate now."""
    report = quality_jobs.run_recompute(session, actor, project_id)
    return RecomputePublic(**report.__dict__)


@router.get("/projects/{project_id}/quality/signals", response_model=list[SignalPublic])
def list_signals(
    project_id: str,
    actor: ActorDep,
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^(open|dismissed|actioned)$")] = None,
    kind: Annotated[str | None, Query(max_length=48)] = None,
    worker_id: Annotated[str | None, Query(max_length=32)] = None,
    flagged: bool = False,
) -> list[SignalPublic]:
    """Detector verdicts with their evidence, worst first."""
    rows = quality_review.list_signals(
        session,
        actor,
        project_id,
        status=status,
        kind=kind,
        worker_id=worker_id,
        flagged_only=flagged,
    )
    return [SignalPublic.model_validate(r) for r in rows]


@router.post("/quality/signals/{signal_id}/dismiss", response_model=SignalPublic)
def dismiss_signal(
    signal_id: str, note: NoteIn, actor: ActorDep, session: SessionDep
) -> SignalPublic:
    """Mark a signal reviewed and fine (no automatic action will follow it)."""
    return SignalPublic.model_validate(
        quality_review.dismiss_signal(session, actor, signal_id, note.reason)
    )


@router.post("/quality/signals/{signal_id}/actions", response_model=ActionPublic)
def act_on_signal(
    signal_id: str, body: ActionIn, actor: ActorDep, session: SessionDep
) -> ActionPublic:
    """Apply an action (flag, downweight, pause_worker, exclude_responses, retire_gold) by hand."""
    return ActionPublic.model_validate(
        quality_review.act_on_signal(session, actor, signal_id, body.action)
    )


@router.get("/projects/{project_id}/quality/actions", response_model=list[ActionPublic])
def list_actions(
    project_id: str,
    actor: ActorDep,
    session: SessionDep,
    target_id: Annotated[str | None, Query(max_length=80)] = None,
) -> list[ActionPublic]:
    """Every automatic and manual action, newest first, with how to undo it."""
    rows = quality_review.list_actions(session, actor, project_id, target_id)
    return [ActionPublic.model_validate(r) for r in rows]


@router.post("/quality/actions/{action_id}/revert", response_model=ActionPublic)
def revert_action(
    action_id: str, note: NoteIn, actor: ActorDep, session: SessionDep
) -> ActionPublic:
    """Undo an action exactly (recorded in the audit log)."""
    return ActionPublic.model_validate(
        quality_review.revert_action(session, actor, action_id, note.reason)
    )


@router.get("/projects/{project_id}/quality/workers", response_model=list[EstimatePublic])
def project_estimates(
    project_id: str, actor: ActorDep, session: SessionDep
) -> list[EstimatePublic]:
    """Every worker's quality on the project: gold, agreement, review, combined."""
    return [
        EstimatePublic.model_validate(e)
        for e in quality_review.project_estimates(session, actor, project_id)
    ]


@router.get("/workers/{worker_id}/quality", response_model=list[EstimatePublic])
def worker_estimates(worker_id: str, actor: ActorDep, session: SessionDep) -> list[EstimatePublic]:
    """Return a worker's quality estimates with intervals (workers may read their own).

    Per project (skill `project:<id>`: gold, agreement, review, combined) and per skill pooled
    across every project requiring it (skill `skill:<name>`, source gold).
    """
    return [
        EstimatePublic.model_validate(e)
        for e in quality_review.worker_estimates(session, actor, worker_id)
    ]


def _gate(view: GateView) -> GatePublic:
    gate = view.gate
    return GatePublic(
        task_id=view.task.id,
        status=view.state,
        target=view.project.quality_target,
        confidence=gate.confidence if gate else None,
        raw_confidence=gate.raw_confidence if gate else None,
        extra_responses=gate.extra_responses if gate else 0,
        responses=view.task.response_count,
        reasons=view.reasons,
    )


@router.get("/tasks/{task_id}/gate", response_model=GatePublic)
def task_gate(task_id: str, actor: ActorDep, session: SessionDep) -> GatePublic:
    """Why the task is not delivered yet (or why it was)."""
    return _gate(quality_review.explain_task_gate(session, actor, task_id))


@router.post("/tasks/{task_id}/gate/release", response_model=GatePublic)
def release_task(task_id: str, body: ReleaseIn, actor: ActorDep, session: SessionDep) -> GatePublic:
    """Deliver a held or escalated task on an expert's decision (optionally with their answer)."""
    return _gate(quality_review.release_task(session, actor, task_id, body.reason, body.answer))


@router.get("/projects/{project_id}/quality/held", response_model=list[GatePublic])
def held_tasks(project_id: str, actor: ActorDep, session: SessionDep) -> list[GatePublic]:
    """Tasks the gate holds, with their reasons."""
    return [
        GatePublic(
            task_id=g.task_id,
            status=g.status,
            target=g.target,
            confidence=g.confidence,
            raw_confidence=g.raw_confidence,
            extra_responses=g.extra_responses,
            responses=0,
            reasons=list(g.reasons),
        )
        for g in quality_review.list_held_tasks(session, actor, project_id)
    ]


@router.get("/projects/{project_id}/quality/alarms", response_model=list[AlarmPublic])
def list_alarms(
    project_id: str,
    actor: ActorDep,
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
) -> list[AlarmPublic]:
    """CUSUM and SPRT alarms per worker, batch and project."""
    return [
        AlarmPublic.model_validate(a)
        for a in quality_review.list_alarms(session, actor, project_id, status)
    ]


@router.post("/quality/alarms/{alarm_id}/resolve", response_model=AlarmPublic)
def resolve_alarm(alarm_id: str, note: NoteIn, actor: ActorDep, session: SessionDep) -> AlarmPublic:
    """Close an alarm; its chart restarts from now."""
    return AlarmPublic.model_validate(
        quality_review.resolve_alarm(session, actor, alarm_id, note.reason)
    )


@router.get("/projects/{project_id}/quality/dashboard", response_model=DashboardPublic)
def dashboard(
    project_id: str,
    actor: ActorDep,
    session: SessionDep,
    period: Annotated[str, Query(pattern="^(day|week)$")] = "day",
) -> DashboardPublic:
    """Gold accuracy, review grades, agreement, flagged share, throughput and cost over time."""
    board = quality_dashboards.project_dashboard(session, actor, project_id, period)
    return DashboardPublic(
        period=board.period,
        summary=board.summary,
        series={
            name: [SeriesPointPublic(**p.__dict__) for p in points]
            for name, points in board.series.items()
        },
    )


@router.get("/projects/{project_id}/gold", response_model=list[GoldPublic])
def gold_overview(project_id: str, actor: ActorDep, session: SessionDep) -> list[GoldPublic]:
    """Every gold task: lifecycle status, accuracy, leak score."""
    return [
        GoldPublic(
            task_id=r.task.id,
            unique_id=r.task.unique_id,
            status=r.status,
            answered=r.answered,
            accuracy=r.accuracy,
            leak_score=r.leak_score,
            leak_flagged=r.leak_flagged,
        )
        for r in gold_lifecycle.gold_overview(session, actor, project_id)
    ]


@router.post("/projects/{project_id}/gold/rotate", response_model=list[str])
def rotate_gold(
    project_id: str, body: RotateGoldIn, actor: ActorDep, session: SessionDep
) -> list[str]:
    """Retire gold written before a guideline version (returns the retired task ids)."""
    return gold_lifecycle.rotate_gold(
        session, actor, project_id, created_before_version=body.created_before_version
    )


@router.post("/projects/{project_id}/review-audits", response_model=list[str])
def seed_review_errors(
    project_id: str, body: SeedReviewErrors, actor: ActorDep, session: SessionDep
) -> list[str]:
    """Plant known errors in a review stage's queue (returns the planted response ids)."""
    return reviewer_audits.seed_review_errors(session, actor, project_id, body.count, body.stage)


@router.get("/projects/{project_id}/review-audits")
def reviewer_catch_rates(
    project_id: str, actor: ActorDep, session: SessionDep
) -> list[dict[str, Any]]:
    """Each reviewer's catch rate on planted errors, per stage, with an interval."""
    return [r.as_dict() for r in reviewer_audits.catch_rates(session, actor, project_id)]


@router.get("/projects/{project_id}/quality/diversity")
def text_diversity(project_id: str, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """How alike a free-writing project's texts are, and the clusters of similar ones."""
    return diversity.project_diversity(session, actor, project_id).as_dict()
