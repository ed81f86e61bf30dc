"""Webhook deliveries of a project: their state in the outbox, manual retry, secret rotation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from assay.api.deps import ActorDep, SessionDep
from assay.services import deliveries as service

router = APIRouter(tags=["webhooks"])


class DeliveryPublic(BaseModel):
    """A webhook delivery: where it goes, how it went, what happens next."""

    id: str
    project_id: str
    task_id: str | None
    event: str
    url: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


class WebhookSecretPublic(BaseModel):
    """A project's new signing secret; shown once, so store it now."""

    project_id: str
    webhook_secret: str


@router.get("/v1/projects/{project_id}/deliveries", response_model=list[DeliveryPublic])
def list_deliveries(
    project_id: str,
    actor: ActorDep,
    session: SessionDep,
    status: Literal["pending", "delivered", "dead"] | None = None,
    before_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryPublic]:
    """List a project's webhook deliveries, newest first; page with ``before_id``."""
    views = service.list_deliveries(
        session, actor, project_id, status=status, before_id=before_id, limit=limit
    )
    return [DeliveryPublic(**vars(view)) for view in views]


@router.post("/v1/deliveries/{delivery_id}/retry", response_model=DeliveryPublic)
def retry_delivery(delivery_id: str, actor: ActorDep, session: SessionDep) -> DeliveryPublic:
    """Send a pending or dead delivery again as soon as possible."""
    return DeliveryPublic(**vars(service.retry_delivery(session, actor, delivery_id)))


@router.post("/v1/projects/{project_id}/webhook-secret/rotate", response_model=WebhookSecretPublic)
def rotate_webhook_secret(
    project_id: str, actor: ActorDep, session: SessionDep
) -> WebhookSecretPublic:
    """Replace the project's webhook signing secret; pending deliveries use the new one."""
    secret = service.rotate_webhook_secret(session, actor, project_id)
    return WebhookSecretPublic(project_id=project_id, webhook_secret=secret)
