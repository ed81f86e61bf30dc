"""The review queue: reviewers accept, reject with a reason, or edit, grading with the rubric."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError

from assay.domain.enums import Role
from assay.domain.workforce import ReviewSubmit
from assay.errors import InvalidInput
from assay.services import projects, reviews
from assay.services.reviews import ReviewItem
from assay.web.deps import CsrfDep, DbDep, IdentityDep
from assay.web.errors import WebRoute
from assay.web.render import render
from assay.web.routes.work import NextIn
from assay.web.task_view import guidelines_data, shown_payload

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def review_url(response_id: str, project_id: str | None) -> str:
    """Return the review page of a response, remembering which queue it came from."""
    suffix = f"?p={quote(project_id)}" if project_id else ""
    return f"/review/{response_id}{suffix}"


def _next_url(db: DbDep, identity: CsrfDep, project_id: str | None) -> str:
    item = reviews.next_review(db, identity.actor, project_id)
    if item is None:
        return "/review?notice=no_reviews"
    return review_url(item.response.id, project_id)


@router.get("/review")
def review_home(request: Request, db: DbDep, identity: IdentityDep) -> Response:
    """Projects with a review policy, and a button to take the next response to review."""
    identity.actor.require(Role.REVIEWER)
    reviewed = [
        p
        for p in projects.list_projects(db, identity.actor)
        if p.status == "active" and (p.review_policy or {}).get("stages")
    ]
    return render(request, "review_home.html", {"title": "Review", "projects": reviewed})


@router.post("/review/start")
def start_review(
    db: DbDep, identity: CsrfDep, project_id: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """Lease the next response waiting for review and open it."""
    return RedirectResponse(_next_url(db, identity, project_id or None), status_code=303)


@router.post("/review/next")
def next_review(body: NextIn, db: DbDep, identity: CsrfDep) -> Response:
    """For the review script after a verdict: the URL to go to next."""
    return JSONResponse({"url": _next_url(db, identity, body.project_id)})


def review_page_data(item: ReviewItem, next_project_id: str | None) -> dict[str, Any]:
    """Collect what the review script needs: template, shown payload, the answer."""
    response = item.response
    return {
        "mode": "review",
        "response": {"id": response.id, "stage": item.stage_name},
        "template": item.template,
        "payload": shown_payload(item.template, item.task.payload),
        "answer": response.reviewed_answer or response.answer,
        "next_project_id": next_project_id,
        "urls": {"verdict": f"/review/{response.id}", "next": "/review/next", "media": "/media/"},
    }


@router.get("/review/{response_id}")
def review_page(
    request: Request, response_id: str, db: DbDep, identity: IdentityDep, p: str | None = None
) -> Response:
    """One response to review, shown as its author saw the task, with the guidelines."""
    item = reviews.load_review_item(db, identity.actor, response_id)
    context = {
        "title": f"Review · {item.project.name}",
        "item": item,
        "page_data": review_page_data(item, p or None),
        "guidelines": guidelines_data(item.guidelines),
        "project_id": item.project.id,
    }
    return render(request, "review.html", context)


@router.post("/review/{response_id}")
def submit_verdict(
    response_id: str, body: dict[str, Any], db: DbDep, identity: CsrfDep
) -> Response:
    """Accept (optionally with an edited answer) or reject with a reason; rubric grades too."""
    try:
        verdict = ReviewSubmit.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "verdict"
        raise InvalidInput(f"{where}: {first['msg']}") from None
    review = reviews.submit_review(db, identity.actor, response_id, verdict)
    return JSONResponse({"review_id": review.id, "verdict": review.verdict})
