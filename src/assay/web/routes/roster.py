"""The worker roster and profiles: locales, skills with levels, credentials, timezone, status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field, ValidationError

from assay.domain.enums import Role, WorkerStatus
from assay.domain.skills import LEVEL_NAMES
from assay.domain.workforce import WorkerProfileUpdate, WorkerStatusChange
from assay.errors import InvalidInput
from assay.services import workers
from assay.web.deps import CsrfDep, DbDep, IdentityDep
from assay.web.errors import WebRoute
from assay.web.render import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/ops/workers")
def roster_page(request: Request, db: DbDep, identity: IdentityDep) -> Response:
    """Every worker with their last week's activity, gold accuracy and status."""
    rows = workers.list_roster(db, identity.actor)
    return render(request, "ops/roster.html", {"title": "Workers", "rows": rows})


def _profile_page(
    request: Request, db: DbDep, identity: IdentityDep, worker_id: str, error: str | None
) -> Response:
    worker = workers.get_worker_profile(db, identity.actor, worker_id)
    context = {
        "title": worker.display_name or worker.handle,
        "worker": worker,
        "levels": LEVEL_NAMES,
        "statuses": [s.value for s in WorkerStatus],
        "error": error,
    }
    return render(request, "ops/worker.html", context, status=422 if error else 200)


@router.get("/ops/workers/{worker_id}")
def profile_page(request: Request, worker_id: str, db: DbDep, identity: IdentityDep) -> Response:
    """Show a worker's profile, editable by operations."""
    identity.actor.require(Role.REQUESTER)
    return _profile_page(request, db, identity, worker_id, None)


class ProfileForm(BaseModel):
    """The profile form as posted: rows of skills and credentials are parallel lists."""

    display_name: str = ""
    locales: str = ""
    timezone: str = ""
    skill_path: list[str] = Field(default_factory=list)
    skill_level: list[str] = Field(default_factory=list)
    cred_name: list[str] = Field(default_factory=list)
    cred_issuer: list[str] = Field(default_factory=list)
    cred_year: list[str] = Field(default_factory=list)
    cred_verified: list[str] = Field(default_factory=list)


def _rows(*columns: list[str]) -> list[list[str]]:
    """Parallel lists as rows (one per index), rows with an empty first cell dropped."""
    rows = [[value.strip() for value in row] for row in zip(*columns, strict=False)]
    return [row for row in rows if row[0]]


def profile_change(form: ProfileForm) -> WorkerProfileUpdate:
    """Read the profile form into a validated change, or InvalidInput naming the field."""
    skills = {path: level for path, level in _rows(form.skill_path, form.skill_level)}
    credentials: list[dict[str, Any]] = [
        {
            "name": name,
            "issuer": issuer,
            "year": int(year) if year.isdigit() else None,
            "verified": verified == "yes",
        }
        for name, issuer, year, verified in _rows(
            form.cred_name, form.cred_issuer, form.cred_year, form.cred_verified
        )
    ]
    try:
        return WorkerProfileUpdate.model_validate(
            {
                "display_name": form.display_name.strip(),
                "locales": form.locales.replace(",", " ").split(),
                "skills": skills,
                "credentials": credentials,
                "timezone": form.timezone.strip() or "UTC",
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(f"{where}: {first['msg']}") from None


@router.post("/ops/workers/{worker_id}")
def save_profile(
    request: Request,
    worker_id: str,
    db: DbDep,
    identity: CsrfDep,
    form: Annotated[ProfileForm, Form()],
) -> Response:
    """Save the profile form; on a mistake, show the form again with the reason."""
    try:
        change = profile_change(form)
        workers.update_worker_profile(db, identity.actor, worker_id, change)
    except InvalidInput as exc:
        db.rollback()
        return _profile_page(request, db, identity, worker_id, exc.message)
    return RedirectResponse(f"/ops/workers/{worker_id}?notice=saved", status_code=303)


@router.post("/ops/workers/{worker_id}/status")
def change_status(
    request: Request,
    worker_id: str,
    db: DbDep,
    identity: CsrfDep,
    status: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Move a worker to another status, with the reason kept in the audit log."""
    try:
        change = WorkerStatusChange.model_validate({"status": status, "reason": reason})
    except ValidationError:
        return _profile_page(request, db, identity, worker_id, "Choose a known status.")
    workers.set_worker_status(db, identity.actor, worker_id, change.status, change.reason)
    return RedirectResponse(f"/ops/workers/{worker_id}?notice=saved", status_code=303)
