"""Requester and operations views: project progress, guideline Q&A, the roster, payments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from assay.domain.enums import Role
from assay.services import earnings, guideline_questions, leaderboards, progress, projects
from assay.services.progress import Progress
from assay.web.charts import bar_chart, stacked_bar
from assay.web.csv_export import csv_response
from assay.web.deps import CsrfDep, DbDep, IdentityDep
from assay.web.errors import WebRoute
from assay.web.render import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

_STATE_PARTS = (
    ("Open", "open", "open"),
    ("Complete", "complete", "complete"),
    ("Delivered", "delivered", "delivered"),
    ("Cancelled", "cancelled", "cancelled"),
)


def progress_numbers(state: Progress) -> dict[str, int]:
    """Count the headline numbers: done (complete or delivered), in review, delivered, open."""
    tasks = state.tasks_by_state
    return {
        "total": sum(tasks.values()),
        "done": tasks.get("complete", 0) + tasks.get("delivered", 0),
        "delivered": tasks.get("delivered", 0),
        "open": tasks.get("open", 0),
        "cancelled": tasks.get("cancelled", 0),
        "in_review": state.in_review,
        "responses_14d": sum(n for _, n in state.throughput),
    }


def _state_bar(state: Progress, name: str) -> object:
    parts = [(label, state.tasks_by_state.get(key, 0), css) for label, key, css in _STATE_PARTS]
    return stacked_bar(parts, title=f"Tasks of {name} by state")


@router.get("/ops")
def projects_page(request: Request, db: DbDep, identity: IdentityDep) -> Response:
    """Every project with its progress at a glance."""
    identity.actor.require(Role.REQUESTER)
    rows = []
    for project in projects.list_projects(db, identity.actor):
        state = progress.project_progress(db, identity.actor, project.id)
        rows.append(
            {
                "project": project,
                "numbers": progress_numbers(state),
                "bar": _state_bar(state, project.name),
            }
        )
    return render(request, "ops/projects.html", {"title": "Projects", "rows": rows})


@router.get("/ops/projects/{project_id}")
def project_page(request: Request, project_id: str, db: DbDep, identity: IdentityDep) -> Response:
    """One project's progress, daily throughput, and the guideline questions to answer."""
    actor = identity.actor
    actor.require(Role.REQUESTER)
    project = projects.load_project(db, actor, project_id)
    state = progress.project_progress(db, actor, project.id)
    questions = guideline_questions.list_questions(db, actor, project.id)
    context = {
        "title": project.name,
        "project": project,
        "numbers": progress_numbers(state),
        "responses": state.responses_by_status,
        "bar": _state_bar(state, project.name),
        "chart": bar_chart(
            [(day[5:], n) for day, n in state.throughput], title="Responses per day, last 14 days"
        ),
        "open_questions": [q for q in questions if q.answer is None],
        "answered_questions": [q for q in questions if q.answer is not None],
        "board_mode": leaderboards.board_mode(db, actor, project.id),
    }
    return render(request, "ops/project.html", context)


@router.post("/ops/questions/{question_id}/answer")
def answer_question(
    question_id: str,
    db: DbDep,
    identity: CsrfDep,
    text: Annotated[str, Form(min_length=1, max_length=20_000)],
    project_id: Annotated[str, Form(max_length=64)],
) -> Response:
    """Publish the lead's answer; every worker on the project sees it beside the task."""
    guideline_questions.answer_question(db, identity.actor, question_id, text.strip())
    return RedirectResponse(f"/ops/projects/{project_id}?notice=answered", status_code=303)


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    today = datetime.now(UTC).date()
    end = end or today
    start = start or end - timedelta(days=30)
    return start, end


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in UTC: both dates are included."""
    return (
        datetime.combine(start, time(), UTC),
        datetime.combine(end + timedelta(days=1), time(), UTC),
    )


@router.get("/ops/payments")
def payments_page(
    request: Request,
    db: DbDep,
    identity: IdentityDep,
    start: date | None = None,
    end: date | None = None,
) -> Response:
    """Show what each worker earned in a period, ready to export for payment."""
    first, last = _period(start, end)
    rows = earnings.payment_report(db, identity.actor, *_bounds(first, last))
    context = {
        "title": "Payments",
        "rows": rows,
        "start": first,
        "end": last,
        "total_cents": sum(r.pay_cents for r in rows),
    }
    return render(request, "ops/payments.html", context)


@router.get("/ops/payments.csv")
def payments_csv(
    db: DbDep, identity: IdentityDep, start: date | None = None, end: date | None = None
) -> Response:
    """Export the payment report as CSV: one line per worker."""
    first, last = _period(start, end)
    rows = earnings.payment_report(db, identity.actor, *_bounds(first, last))
    lines = [
        [
            row.key,
            row.tasks,
            f"{row.pay_cents / 100:.2f}",
            f"{row.active_seconds / 3600:.2f}",
            f"{row.per_hour_cents / 100:.2f}" if row.per_hour_cents is not None else "",
            first,
            last,
        ]
        for row in rows
    ]
    header = ["worker", "tasks", "pay", "active_hours", "pay_per_hour", "start", "end"]
    return csv_response(f"payments-{first}-{last}.csv", header, lines)
