"""Operations over the workforce: profiles, status, roster, qualification tests, payments."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import PlainTextResponse

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.projects import ProjectPublic
from assay.api.schemas.workforce import (
    DayCount,
    EarningsRowPublic,
    ProgressPublic,
    RosterRowPublic,
    WorkerPublic,
)
from assay.domain.workforce import (
    QualificationCreate,
    WorkerCreate,
    WorkerProfileUpdate,
    WorkerStatusChange,
)
from assay.errors import InvalidInput
from assay.services import earnings, progress, qualification, workers

router = APIRouter(prefix="/v1", tags=["workforce"])


@router.get("/workers", response_model=list[RosterRowPublic])
def list_roster(actor: ActorDep, session: SessionDep) -> list[RosterRowPublic]:
    """Every worker with last week's activity and gold accuracy."""
    return [
        RosterRowPublic(
            worker=WorkerPublic.model_validate(row.worker),
            responses_7d=row.responses_7d,
            last_active_at=row.last_active_at,
            gold_answered=row.gold_answered,
            gold_accuracy=row.gold_accuracy,
        )
        for row in workers.list_roster(session, actor)
    ]


@router.post("/workers", response_model=WorkerPublic, status_code=status.HTTP_201_CREATED)
def create_worker(spec: WorkerCreate, actor: ActorDep, session: SessionDep) -> WorkerPublic:
    """Add a worker to the organisation's pool."""
    return WorkerPublic.model_validate(workers.create_worker(session, actor, spec))


@router.get("/workers/{worker_id}", response_model=WorkerPublic)
def get_worker(worker_id: str, actor: ActorDep, session: SessionDep) -> WorkerPublic:
    """A worker's profile (workers may read only their own)."""
    return WorkerPublic.model_validate(workers.get_worker_profile(session, actor, worker_id))


@router.patch("/workers/{worker_id}", response_model=WorkerPublic)
def update_worker(
    worker_id: str, change: WorkerProfileUpdate, actor: ActorDep, session: SessionDep
) -> WorkerPublic:
    """Change locales, skills with levels, credentials, timezone or display name."""
    return WorkerPublic.model_validate(
        workers.update_worker_profile(session, actor, worker_id, change)
    )


@router.post("/workers/{worker_id}/status", response_model=WorkerPublic)
def set_worker_status(
    worker_id: str, change: WorkerStatusChange, actor: ActorDep, session: SessionDep
) -> WorkerPublic:
    """Move a worker between applicant, probation, active, paused and removed (audited)."""
    worker = workers.set_worker_status(session, actor, worker_id, change.status, change.reason)
    return WorkerPublic.model_validate(worker)


@router.post("/qualifications", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
def create_qualification_test(
    spec: QualificationCreate, actor: ActorDep, session: SessionDep
) -> ProjectPublic:
    """A test of gold tasks; workers who pass it are granted `skill` at `level`."""
    project = qualification.create_qualification_test(session, actor, spec)
    return ProjectPublic.model_validate(project)


@router.get("/projects/{project_id}/progress", response_model=ProgressPublic)
def project_progress(project_id: str, actor: ActorDep, session: SessionDep) -> ProgressPublic:
    """Tasks by state, responses by review status, and responses per day."""
    result = progress.project_progress(session, actor, project_id)
    return ProgressPublic(
        tasks_by_state=result.tasks_by_state,
        responses_by_status=result.responses_by_status,
        in_review=result.in_review,
        throughput=[DayCount(day=day, responses=n) for day, n in result.throughput],
    )


@router.get("/payments", response_model=list[EarningsRowPublic])
def payment_report(
    actor: ActorDep,
    session: SessionDep,
    start: Annotated[datetime, Query(description="Inclusive, ISO 8601 with timezone.")],
    end: Annotated[datetime, Query(description="Exclusive, ISO 8601 with timezone.")],
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> list[EarningsRowPublic] | PlainTextResponse:
    """What each worker earned in a period, as JSON or CSV for payment."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("start and end need a timezone, e.g. 2026-11-01T00:00:00Z.")
    if end <= start:
        raise InvalidInput("end must be after start.")
    rows = [
        EarningsRowPublic(
            key=r.key,
            tasks=r.tasks,
            pay_cents=r.pay_cents,
            active_seconds=r.active_seconds,
            per_hour_cents=r.per_hour_cents,
        )
        for r in earnings.payment_report(session, actor, start, end)
    ]
    if format == "json":
        return rows
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["worker", "tasks", "pay_cents", "active_seconds", "per_hour_cents"])
    for row in rows:
        writer.writerow(
            [row.key, row.tasks, row.pay_cents, row.active_seconds, row.per_hour_cents or ""]
        )
    return PlainTextResponse(out.getvalue(), media_type="text/csv")
