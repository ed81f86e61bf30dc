"""The worker's loop over HTTP: next, heartbeat, submit, release."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from assay.api.deps import ActorDep, BearerDep, SessionDep, run_as_actor, server_rng
from assay.api.raw_body import RawBodyDep, documented_body, parse_body
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
from assay.services.actor import Actor
from assay.store import Session

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
            template=lease.served.template,
            time_estimate_seconds=lease.served.time_estimate_seconds,
            pay_per_task_cents=lease.served.pay_per_task_cents,
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


@router.post("/next", response_model=AssignmentPublic, openapi_extra=documented_body(NextRequest))
async def next_task(
    raw_body: RawBodyDep, request: Request, credentials: BearerDep
) -> AssignmentPublic:
    """Lease the highest-priority task this worker may do and has not answered.

    404 `no_task_available` when nothing is waiting. The lease lasts the project's
    `lease_seconds`; extend it with heartbeats.
    """
    rng = server_rng(request)

    def lease(session: Session, actor: Actor) -> AssignmentPublic:
        body = parse_body(NextRequest, raw_body)
        return _public(service.claim_next(session, actor, body.project_id, rng=rng))

    # The hot path: session, authentication, then the body and the claim, on one pool thread
    # (see deps.run_as_actor); like every route, a bad key is refused before a bad body.
    return await run_in_threadpool(run_as_actor, request, credentials, lease)


@router.post(
    "/{assignment_id}/submit",
    response_model=SubmitPublic,
    openapi_extra=documented_body(SubmitRequest),
)
async def submit(
    assignment_id: str,
    raw_body: RawBodyDep,
    request: Request,
    credentials: BearerDep,
    response: Response,
) -> SubmitPublic:
    """Submit the answer. Retrying the same submit returns the same response (200, `replayed`)."""
    rng = server_rng(request)

    def store(session: Session, actor: Actor) -> SubmitPublic:
        body = parse_body(SubmitRequest, raw_body)
        outcome = submissions.submit_response(
            session,
            actor,
            assignment_id,
            body.answer,
            active_time_ms=body.active_time_ms,
            telemetry=body.telemetry,
            rng=rng,
        )
        # Read while the session is open: a replay rolled back, which expires what it loaded.
        return SubmitPublic(
            response_id=outcome.response.id,
            task_id=outcome.response.task_id,
            replayed=outcome.replayed,
        )

    public = await run_in_threadpool(run_as_actor, request, credentials, store)
    response.status_code = status.HTTP_200_OK if public.replayed else status.HTTP_201_CREATED
    return public


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
