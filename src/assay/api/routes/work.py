"""The worker's loop over HTTP: next, heartbeat, submit, release."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.work import (
    AssignmentPublic,
    HeartbeatRequest,
    LeasePublic,
    NextRequest,
    ReleaseRequest,
    SubmitPublic,
    SubmitRequest,
    WorkerGuidelines,
    WorkerProject,
    WorkerTask,
)
from assay.services import submissions
from assay.services import work as service

router = APIRouter(prefix="/v1/work", tags=["work"])


def _public(lease: service.Lease) -> AssignmentPublic:
    guidelines = lease.guidelines
    return AssignmentPublic(
        id=lease.assignment.id,
        status=lease.assignment.status,
        expires_at=lease.assignment.expires_at,
        draft=lease.assignment.draft,
        task=WorkerTask(id=lease.task.id, payload=lease.task.payload),
        project=WorkerProject(
            id=lease.project.id,
            name=lease.project.name,
            template=lease.project.template,
            time_estimate_seconds=lease.project.time_estimate_seconds,
            pay_per_task_cents=lease.project.pay_per_task_cents,
        ),
        guidelines=WorkerGuidelines(
            version=guidelines.version,
            goal=guidelines.goal,
            principles=guidelines.principles,
            examples=guidelines.examples,
            body=guidelines.body,
        )
        if guidelines
        else None,
    )


@router.post("/next", response_model=AssignmentPublic)
def next_task(request: NextRequest, actor: ActorDep, session: SessionDep) -> AssignmentPublic:
    """Lease the highest-priority task this worker may do and has not answered.

    404 `no_task_available` when nothing is waiting. The lease lasts the project's
    `lease_seconds`; extend it with heartbeats.
    """
    return _public(service.claim_next(session, actor, request.project_id))


@router.post("/{assignment_id}/submit", response_model=SubmitPublic)
def submit(
    assignment_id: str,
    request: SubmitRequest,
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> SubmitPublic:
    """Submit the answer. Retrying the same submit returns the same response (200, `replayed`)."""
    outcome = submissions.submit_response(
        session,
        actor,
        assignment_id,
        request.answer,
        active_time_ms=request.active_time_ms,
        telemetry=request.telemetry,
    )
    response.status_code = status.HTTP_200_OK if outcome.replayed else status.HTTP_201_CREATED
    return SubmitPublic(
        response_id=outcome.response.id,
        task_id=outcome.response.task_id,
        replayed=outcome.replayed,
    )


@router.post("/{assignment_id}/heartbeat", response_model=LeasePublic)
def heartbeat(
    assignment_id: str, request: HeartbeatRequest, actor: ActorDep, session: SessionDep
) -> LeasePublic:
    """Extend the lease (long tasks), optionally saving a draft server-side."""
    assignment = service.heartbeat(session, actor, assignment_id, request.draft)
    return LeasePublic(id=assignment.id, status=assignment.status, expires_at=assignment.expires_at)


@router.post("/{assignment_id}/release", response_model=LeasePublic)
def release(
    assignment_id: str, request: ReleaseRequest, actor: ActorDep, session: SessionDep
) -> LeasePublic:
    """Skip the task, giving it back to the pool."""
    assignment = service.release(session, actor, assignment_id, request.reason)
    return LeasePublic(id=assignment.id, status=assignment.status, expires_at=assignment.expires_at)
