"""The worker's loop in the browser: the queue, the task page, autosave, submit and skip."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field

from assay.errors import AssayError, LeaseExpired, NoTaskAvailable, PermissionDenied
from assay.services import (
    chat_workbench,
    guideline_questions,
    qualification,
    submissions,
    work,
    workbench,
)
from assay.services import media as media_service
from assay.services.media import BlobStore
from assay.web.deps import CsrfDep, DbDep, IdentityDep, RngDep
from assay.web.errors import WebRoute
from assay.web.render import render
from assay.web.task_view import guidelines_data, task_page_data

router = APIRouter(route_class=WebRoute, include_in_schema=False)


class NextIn(BaseModel):
    """Which queue to take the next task from (none: every project the worker may do)."""

    project_id: str | None = Field(default=None, max_length=64)


class HeartbeatIn(BaseModel):
    """A periodic autosave: the unfinished answer and the active time so far."""

    draft: dict[str, Any] | None = None


class SubmitIn(BaseModel):
    """The answer with the browser's timing and typing telemetry."""

    answer: dict[str, Any]
    active_time_ms: int | None = Field(default=None, ge=0, le=7 * 24 * 3600 * 1000)
    telemetry: dict[str, Any] = Field(default_factory=dict)


class SkipIn(BaseModel):
    """Why the worker gives the task back."""

    reason: str = Field(default="", max_length=500)


def task_url(assignment_id: str, project_id: str | None) -> str:
    """Return the task page of an assignment, remembering which queue it came from."""
    suffix = f"?p={quote(project_id)}" if project_id else ""
    return f"/work/{assignment_id}{suffix}"


@router.get("/queue")
def queue_page(request: Request, db: DbDep, identity: IdentityDep) -> Response:
    """Show the worker's home: unfinished work, open projects, and tests to take."""
    actor = identity.actor
    blocked = None
    try:
        choices = workbench.list_project_choices(db, actor)
    except PermissionDenied as exc:
        choices, blocked = [], exc.message
    context = {
        "title": "Your queue",
        "leases": workbench.list_open_leases(db, actor),
        "choices": sorted(choices, key=lambda choice: not choice.qualified),
        "any_open": any(choice.qualified for choice in choices),
        "blocked": blocked,
        "tests": qualification.list_qualification_tests(db, actor),
        "greeting": workbench.worker_name(db, actor),
        "chat_projects": chat_workbench.chat_project_ids(
            db, actor, [choice.project.id for choice in choices]
        ),
    }
    return render(request, "queue.html", context)


def _claim_url(db: DbDep, identity: IdentityDep, project_id: str | None, rng: RngDep) -> str:
    """Where the worker goes next: a new lease, a test's result, or back to the queue."""
    try:
        lease = work.claim_next(db, identity.actor, project_id, rng=rng)
    except NoTaskAvailable:
        if project_id is not None and _is_test(db, identity, project_id):
            return f"/qualifications/{quote(project_id)}"
        return "/queue?notice=done"
    return task_url(lease.assignment.id, project_id)


def _is_test(db: DbDep, identity: IdentityDep, project_id: str) -> bool:
    try:
        qualification.qualification_status(db, identity.actor, project_id)
    except AssayError:
        return False
    return True


@router.post("/work/start")
def start_work(
    db: DbDep,
    identity: CsrfDep,
    rng: RngDep,
    project_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Lease a task (from one project, or the best of all) and open it."""
    url = _claim_url(db, identity, project_id or None, rng)
    if url.startswith("/queue"):
        url = "/queue?notice=empty"
    return RedirectResponse(url, status_code=303)


@router.post("/work/next")
def next_task(body: NextIn, db: DbDep, identity: CsrfDep, rng: RngDep) -> Response:
    """For the task script after a submit or skip: the URL to go to next."""
    return JSONResponse({"url": _claim_url(db, identity, body.project_id, rng)})


@router.get("/work/{assignment_id}")
def task_page(
    request: Request, assignment_id: str, db: DbDep, identity: IdentityDep, p: str | None = None
) -> Response:
    """One task, rendered from its project's template, with the guidelines beside it."""
    try:
        lease = workbench.open_lease(db, identity.actor, assignment_id)
    except LeaseExpired:
        return RedirectResponse("/queue?notice=expired", status_code=303)
    questions = guideline_questions.list_questions(db, identity.actor, lease.project.id)
    context = {
        "title": lease.project.name,
        "lease": lease,
        "page_data": task_page_data(lease, next_project_id=p or None),
        "guidelines": guidelines_data(lease.guidelines),
        "questions": questions,
        "project_id": lease.project.id,
    }
    return render(request, "task.html", context)


@router.post("/work/{assignment_id}/heartbeat")
def heartbeat(assignment_id: str, body: HeartbeatIn, db: DbDep, identity: CsrfDep) -> Response:
    """Keep the lease alive and store the draft, so the work survives a closed tab."""
    assignment = work.heartbeat(db, identity.actor, assignment_id, body.draft)
    return JSONResponse({"expires_at": assignment.expires_at.isoformat()})


@router.post("/work/{assignment_id}/submit")
def submit(
    assignment_id: str, body: SubmitIn, db: DbDep, identity: CsrfDep, rng: RngDep
) -> Response:
    """Submit the answer (validated against the template) with timing and telemetry."""
    result = submissions.submit_response(
        db,
        identity.actor,
        assignment_id,
        body.answer,
        active_time_ms=body.active_time_ms,
        telemetry=body.telemetry,
        rng=rng,
    )
    return JSONResponse({"response_id": result.response.id, "replayed": result.replayed})


@router.post("/work/{assignment_id}/skip")
def skip(assignment_id: str, body: SkipIn, db: DbDep, identity: CsrfDep) -> Response:
    """Give the task back unanswered, with the reason."""
    work.release(db, identity.actor, assignment_id, body.reason)
    return JSONResponse({"ok": True})


def _blob_store(request: Request) -> BlobStore:
    store: BlobStore | None = getattr(request.app.state, "blob_store", None)
    if store is None:
        store = media_service.open_blob_store(request.app.state.settings)
        request.app.state.blob_store = store
    return store


@router.get("/media/{blob_id}")
def media(request: Request, blob_id: str, db: DbDep, identity: IdentityDep) -> Response:
    """Serve a task's image, audio or video to the logged-in account's organisation."""
    view, body = media_service.open_media(db, identity.actor, _blob_store(request), blob_id)
    headers = {
        "Content-Length": str(view.size_bytes),
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return StreamingResponse(body, media_type=view.content_type, headers=headers)
