"""Quality-operations pages: project and worker dashboards, signals, actions, the A/B report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from assay.domain.enums import Role
from assay.services import (
    diversity,
    experiments,
    feedback,
    gold_lifecycle,
    pooled_skills,
    projects,
    quality_dashboards,
    quality_jobs,
    quality_review,
    reviewer_audits,
    workers,
)
from assay.services.actor import Actor
from assay.services.experiments import ExperimentView
from assay.services.quality_dashboards import Dashboard, SeriesPoint
from assay.web.charts import bar_chart
from assay.web.deps import CsrfDep, DbDep, IdentityDep
from assay.web.errors import WebRoute
from assay.web.quality_charts import (
    BandPoint,
    Series,
    band_chart,
    interval_chart,
    reliability_chart,
)
from assay.web.render import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

_METRICS = (
    ("gold_accuracy", "Gold accuracy", True),
    ("agreement", "Agreement (Krippendorff's alpha)", False),
    ("review_grade", "Reviewer grades", False),
    ("flagged_share", "Share of responses flagged or excluded", True),
)


def _points(points: list[SeriesPoint]) -> list[BandPoint]:
    return [BandPoint(p.period, p.value, p.low, p.high, p.n) for p in points]


def dashboard_charts(board: Dashboard, target: float | None = None) -> list[dict[str, Any]]:
    """One chart per metric that has data, with its band."""
    charts = []
    for key, label, percent in _METRICS:
        points = board.series.get(key)
        if not points or all(p.value is None for p in points):
            continue
        values = [v for p in points for v in (p.value, p.low, p.high) if v is not None]
        y_range = (0.0, 1.0) if percent else (min(min(values), 0.0), max(max(values), 1.0))
        charts.append(
            {
                "key": key,
                "label": label,
                "svg": band_chart(
                    [Series(label, _points(points))],
                    title=f"{label} by {board.period}",
                    y_range=y_range,
                    percent=percent,
                    target=target if key == "gold_accuracy" else None,
                ),
            }
        )
    for key, label, money in (("throughput", "Responses", False), ("cost", "Cost", True)):
        points = board.series.get(key, [])
        if not points:
            continue
        charts.append(
            {
                "key": key,
                "label": label,
                "svg": bar_chart(
                    [(p.period[5:], p.value or 0.0) for p in points],
                    title=f"{label} by {board.period}",
                    value_label=(lambda v: f"${v:,.2f}") if money else (lambda v: f"{v:g}"),
                    width=640,
                    height=260,
                ),
            }
        )
    return charts


def split_estimates(estimates: list[Any]) -> dict[str, list[Any]]:
    """Per-project estimates (``estimates``) apart from skills pooled across projects."""
    return {
        "estimates": [e for e in estimates if not pooled_skills.is_pooled(e.skill)],
        "pooled": [e for e in estimates if pooled_skills.is_pooled(e.skill)],
    }


def _labels(db: DbDep, actor: Actor, estimates: list[Any]) -> dict[str, str]:
    return quality_dashboards.skill_labels(db, actor, [e.skill for e in estimates])


@router.get("/ops/projects/{project_id}/quality")
def project_quality_page(
    request: Request, project_id: str, db: DbDep, identity: IdentityDep, period: str = "day"
) -> Response:
    """Quality over time, open signals, actions (revertible), held tasks, alarms, gold, audits."""
    actor = identity.actor
    actor.require(Role.REQUESTER)
    period = period if period in ("day", "week") else "day"
    project = projects.load_project(db, actor, project_id)
    board = quality_dashboards.project_dashboard(db, actor, project.id, period)
    calibration = board.summary.get("calibration") or {}
    context = {
        "title": f"Quality · {project.name}",
        "project": project,
        "period": period,
        "summary": board.summary,
        "charts": dashboard_charts(board, project.quality_target),
        "reliability": reliability_chart(calibration["bins"], title="Calibration on gold")
        if calibration.get("bins")
        else None,
        "calibration": calibration,
        "signals": [
            s
            for s in quality_review.list_signals(db, actor, project.id, flagged_only=True)
            if s.status != "dismissed"
        ],
        "actions": quality_review.list_actions(db, actor, project.id)[:200],
        "held": quality_review.list_held_tasks(db, actor, project.id)[:100],
        "alarms": quality_review.list_alarms(db, actor, project.id),
        "gold": sorted(
            gold_lifecycle.gold_overview(db, actor, project.id), key=lambda g: -(g.leak_score or 0)
        )[:10],
        "audits": reviewer_audits.catch_rates(db, actor, project.id),
        "diversity": diversity.project_diversity(db, actor, project.id),
        "experiments": experiments.list_experiments(db, actor, project.id),
        "handles": quality_review.worker_handles(db, actor),
    }
    return render(request, "quality/project.html", context)


@router.get("/ops/workers/{worker_id}/quality")
def worker_quality_page(
    request: Request, worker_id: str, db: DbDep, identity: IdentityDep, period: str = "week"
) -> Response:
    """A worker's estimates with intervals, trend, signals and the actions taken on them."""
    actor = identity.actor
    actor.require(Role.REQUESTER)
    worker = workers.get_worker_profile(db, actor, worker_id)
    board = quality_dashboards.worker_trend(
        db, actor, worker.id, period if period in ("day", "week") else "week"
    )
    context = {
        "title": f"Quality · {worker.handle}",
        "worker": worker,
        "board": board,
        "charts": dashboard_charts(board),
        **split_estimates(board.summary["estimates"]),
        "skill_labels": _labels(db, actor, board.summary["estimates"]),
        "signals": [s for s in quality_review.worker_signals(db, actor, worker.id) if s.flagged],
        "actions": quality_review.worker_actions(db, actor, worker.id),
        "misses": quality_review.worker_gold_misses(db, actor, worker.id)[:20],
    }
    return render(request, "quality/worker.html", context)


@router.get("/quality/trend")
def own_trend_page(
    request: Request, db: DbDep, identity: IdentityDep, period: str = "week"
) -> Response:
    """The worker's own quality trend, estimates and recent gold misses."""
    actor = identity.actor
    worker_id = actor.require_worker()
    board = quality_dashboards.worker_trend(
        db, actor, worker_id, period if period in ("day", "week") else "week"
    )
    context = {
        "title": "Your quality trend",
        "board": board,
        "charts": dashboard_charts(board),
        **split_estimates(board.summary["estimates"]),
        "skill_labels": _labels(db, actor, board.summary["estimates"]),
        "misses": feedback.gold_misses(db, actor)[:20],
    }
    return render(request, "quality/trend.html", context)


def experiment_charts(view: ExperimentView) -> dict[str, Any]:
    """The A/B report's charts: accuracy per variant, its daily trend, speed and cost."""
    rows = [(item.variant.name, item.outcome.accuracy, *item.interval) for item in view.series]
    daily = [
        Series(
            item.variant.name,
            [BandPoint(d.isoformat(), acc, lo, hi, n) for d, n, acc, lo, hi in item.daily],
        )
        for item in view.series
    ]
    labels = sorted({p.label for s in daily for p in s.points})
    aligned = [
        Series(
            s.name,
            [
                next((p for p in s.points if p.label == label), BandPoint(label, None))
                for label in labels
            ],
        )
        for s in daily
    ]
    return {
        "accuracy": interval_chart(rows, title="Gold accuracy per variant (95% interval)"),
        "daily": band_chart(aligned, title="Gold accuracy per variant by day") if labels else None,
    }


@router.get("/ops/experiments/{experiment_id}")
def experiment_page(
    request: Request, experiment_id: str, db: DbDep, identity: IdentityDep
) -> Response:
    """The A/B report: each variant's quality, speed and cost, the tests, the recommendation."""
    view = experiments.experiment_report(db, identity.actor, experiment_id)
    project = projects.load_project(db, identity.actor, view.experiment.project_id)
    context = {
        "title": f"Experiment · {view.experiment.name}",
        "view": view,
        "project": project,
        **experiment_charts(view),
    }
    return render(request, "quality/experiment.html", context)


def _back(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


@router.post("/ops/quality/signals/{signal_id}/dismiss")
def dismiss_signal(
    signal_id: str,
    db: DbDep,
    identity: CsrfDep,
    back: Annotated[str, Form(max_length=300)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Mark a signal reviewed and fine."""
    quality_review.dismiss_signal(db, identity.actor, signal_id, reason)
    return _back(_safe(back))


@router.post("/ops/quality/actions/{action_id}/revert")
def revert_action(
    action_id: str,
    db: DbDep,
    identity: CsrfDep,
    back: Annotated[str, Form(max_length=300)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Undo an automatic or manual action (audited)."""
    quality_review.revert_action(
        db, identity.actor, action_id, reason or "reverted in the dashboard"
    )
    return _back(_safe(back))


@router.post("/ops/quality/alarms/{alarm_id}/resolve")
def resolve_alarm(
    alarm_id: str, db: DbDep, identity: CsrfDep, back: Annotated[str, Form(max_length=300)]
) -> Response:
    """Close an alarm."""
    quality_review.resolve_alarm(db, identity.actor, alarm_id, "resolved in the dashboard")
    return _back(_safe(back))


@router.post("/ops/quality/tasks/{task_id}/release")
def release_task(
    task_id: str, db: DbDep, identity: CsrfDep, back: Annotated[str, Form(max_length=300)]
) -> Response:
    """Deliver a held task on an expert's decision."""
    quality_review.release_task(db, identity.actor, task_id, "released in the dashboard", None)
    return _back(_safe(back))


@router.post("/ops/projects/{project_id}/quality/recompute")
def recompute(project_id: str, db: DbDep, identity: CsrfDep) -> Response:
    """Run the quality recompute now."""
    quality_jobs.run_recompute(db, identity.actor, project_id)
    return _back(f"/ops/projects/{project_id}/quality")


@router.post("/ops/experiments/{experiment_id}/stop")
def stop_experiment(experiment_id: str, db: DbDep, identity: CsrfDep) -> Response:
    """Stop the experiment."""
    experiments.stop_experiment(db, identity.actor, experiment_id)
    return _back(f"/ops/experiments/{experiment_id}")


@router.post("/ops/experiments/{experiment_id}/promote")
def promote_variant(
    experiment_id: str, db: DbDep, identity: CsrfDep, variant: Annotated[str, Form(max_length=64)]
) -> Response:
    """Promote a variant: its configuration becomes the project's."""
    experiments.promote_variant(db, identity.actor, experiment_id, variant)
    return _back(f"/ops/experiments/{experiment_id}")


def _safe(url: str) -> str:
    """Only redirect within the site."""
    return url if url.startswith("/") and not url.startswith("//") else "/ops"
