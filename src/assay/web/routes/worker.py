"""A worker's own pages: quality and gold feedback, earnings, qualification tests, guidelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from assay.services import (
    earnings,
    feedback,
    guideline_questions,
    projects,
    qualification,
    workbench,
    workers,
)
from assay.web.charts import bar_chart
from assay.web.csv_export import csv_response
from assay.web.deps import CsrfDep, DbDep, IdentityDep
from assay.web.errors import WebRoute, wants_json
from assay.web.render import render
from assay.web.task_view import guidelines_data, shown_payload

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Period = Literal["day", "week", "month"]


@router.get("/quality")
def quality_page(request: Request, db: DbDep, identity: IdentityDep) -> Response:
    """Show the worker's quality, and each gold miss with the expected answer and guideline."""
    actor = identity.actor
    summary = workbench.quality_summary(db, actor)
    templates = {p.id: p for p in projects.list_projects(db, actor)}
    misses: list[dict[str, Any]] = []
    for miss in feedback.gold_misses(db, actor):
        project = templates.get(miss.project_id)
        if project is None:
            continue
        misses.append(
            {
                "miss": miss,
                "project_name": project.name,
                "data": {
                    "mode": "feedback",
                    "template": project.template,
                    "payload": shown_payload(project.template, miss.payload),
                    "your_answer": miss.your_answer,
                    "expected_answer": miss.expected_answer,
                    "urls": {"media": "/media/"},
                },
            }
        )
    return render(
        request, "quality.html", {"title": "Your quality", "summary": summary, "misses": misses}
    )


_PERIODS_SHOWN = {"day": 14, "week": 12, "month": 6}


def recent_periods(period: Period, now: datetime | None = None) -> list[str]:
    """List the start dates (ISO) of the last few periods, oldest first, for a gap-free chart."""
    start = earnings.period_start(now or datetime.now(UTC), period)
    starts = [start]
    for _ in range(_PERIODS_SHOWN[period] - 1):
        previous = starts[-1] - timedelta(days=1)
        starts.append(earnings.period_start(previous, period))
    return [moment.date().isoformat() for moment in reversed(starts)]


@router.get("/earnings")
def earnings_page(
    request: Request, db: DbDep, identity: IdentityDep, period: Period = "week"
) -> Response:
    """Pay per period, per task and per active hour, with a chart and a CSV export."""
    rows = earnings.earnings_summary(db, identity.actor, period)
    paid = {r.key: r.pay_cents for r in rows}
    chart = bar_chart(
        [(key[5:], paid.get(key, 0) / 100) for key in recent_periods(period)],
        title=f"Pay per {period}",
        value_label=lambda v: f"${v:,.0f}",
    )
    totals = {
        "tasks": sum(r.tasks for r in rows),
        "pay_cents": sum(r.pay_cents for r in rows),
        "active_seconds": sum(r.active_seconds for r in rows),
    }
    context = {
        "title": "Earnings",
        "rows": list(reversed(rows)),
        "period": period,
        "chart": chart,
        "totals": totals,
    }
    return render(request, "earnings.html", context)


@router.get("/earnings.csv")
def earnings_csv(db: DbDep, identity: IdentityDep, period: Period = "week") -> Response:
    """Export the earnings table as CSV, for the worker's records or an invoice."""
    rows = earnings.earnings_summary(db, identity.actor, period)
    lines = [
        [
            row.key,
            row.tasks,
            f"{row.pay_cents / 100:.2f}",
            f"{row.pay_cents / row.tasks / 100:.2f}" if row.tasks else "",
            f"{row.active_seconds / 3600:.2f}",
            f"{row.per_hour_cents / 100:.2f}" if row.per_hour_cents is not None else "",
        ]
        for row in rows
    ]
    header = ["period_start", "tasks", "pay", "pay_per_task", "active_hours", "pay_per_hour"]
    return csv_response(f"earnings-{period}.csv", header, lines)


@router.get("/qualifications")
def qualifications_page(request: Request, db: DbDep, identity: IdentityDep) -> Response:
    """List the tests open to the worker, with progress, outcome and the skill each grants."""
    tests = qualification.list_qualification_tests(db, identity.actor)
    worker = workers.get_worker_profile(db, identity.actor, identity.actor.require_worker())
    context = {"title": "Qualifications", "tests": tests, "skills": worker.skills or {}}
    return render(request, "qualifications.html", context)


@router.get("/qualifications/{project_id}")
def qualification_page(
    request: Request, project_id: str, db: DbDep, identity: IdentityDep
) -> Response:
    """One test: start or continue it, or see whether it was passed and what it granted."""
    status = qualification.qualification_status(db, identity.actor, project_id)
    worker = workers.get_worker_profile(db, identity.actor, identity.actor.require_worker())
    context = {"title": status.name, "test": status, "skills": worker.skills or {}}
    return render(request, "qualification.html", context)


@router.get("/projects/{project_id}/guidelines")
def guidelines_page(
    request: Request, project_id: str, db: DbDep, identity: IdentityDep
) -> Response:
    """Every version of a project's guidelines, with the questions asked and answered."""
    actor = identity.actor
    versions = projects.list_guidelines(db, actor, project_id)
    project = projects.load_project(db, actor, project_id)
    context = {
        "title": f"Guidelines · {project.name}",
        "project": project,
        "versions": [guidelines_data(v) for v in versions],
        "questions": guideline_questions.list_questions(db, actor, project_id),
    }
    return render(request, "guidelines.html", context)


@router.post("/projects/{project_id}/questions")
def ask_question(
    request: Request,
    project_id: str,
    db: DbDep,
    identity: CsrfDep,
    text: Annotated[str, Form(min_length=3, max_length=5000)],
) -> Response:
    """Ask about the guidelines; the project's lead answers for everyone."""
    question = guideline_questions.ask_question(db, identity.actor, project_id, text.strip())
    if wants_json(request):
        return JSONResponse(
            {
                "id": question.id,
                "question": question.question,
                "guideline_version": question.guideline_version,
            }
        )
    return RedirectResponse(f"/projects/{project_id}/guidelines?notice=saved", status_code=303)
