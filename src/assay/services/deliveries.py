"""What requesters see and do about webhook deliveries: list them, retry one, rotate the secret."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from assay.domain.enums import DeliveryStatus, Role
from assay.errors import Conflict, InvalidInput, NotFound
from assay.services.actor import Actor
from assay.store import Session
from assay.store import deliveries as store
from assay.store.audit import insert_audit_event
from assay.store.base import utcnow
from assay.store.documents import project_exists
from assay.store.models import WebhookDelivery


@dataclass(frozen=True)
class DeliveryView:
    """A delivery's state in the outbox (not its payload)."""

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


def _view(delivery: WebhookDelivery) -> DeliveryView:
    return DeliveryView(
        id=delivery.id,
        project_id=delivery.project_id,
        task_id=delivery.task_id,
        event=delivery.event,
        url=delivery.url,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
    )


def _require_project(session: Session, actor: Actor, project_id: str) -> None:
    actor.require(Role.REQUESTER)
    if not project_exists(session, actor.org_id, project_id):
        raise NotFound(f"No project {project_id!r} in this organisation.")


def list_deliveries(
    session: Session,
    actor: Actor,
    project_id: str,
    *,
    status: str | None = None,
    before_id: str | None = None,
    limit: int = 100,
) -> list[DeliveryView]:
    """List a project's deliveries, newest first (requester or admin).

    Raises:
        PermissionDenied: the actor is a worker or reviewer.
        NotFound: the project is not in the actor's organisation.
        InvalidInput: unknown status or a limit outside 1..1000.

    """
    _require_project(session, actor, project_id)
    if status is not None and status not in set(DeliveryStatus):
        allowed = ", ".join(s.value for s in DeliveryStatus)
        raise InvalidInput(f"Unknown delivery status {status!r}; choose one of: {allowed}.")
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000.")
    rows = store.list_deliveries(
        session, actor.org_id, project_id, status=status, before_id=before_id, limit=limit
    )
    return [_view(row) for row in rows]


def retry_delivery(session: Session, actor: Actor, delivery_id: str) -> DeliveryView:
    """Make a pending or dead delivery due now; a dead one gets a fresh set of attempts. Commits.

    Raises:
        PermissionDenied: the actor is a worker or reviewer.
        NotFound: no such delivery in the actor's organisation.
        Conflict: the delivery was already acknowledged.

    """
    actor.require(Role.REQUESTER)
    delivery = store.get_delivery(session, actor.org_id, delivery_id)
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id!r} in this organisation.")
    if delivery.status == DeliveryStatus.DELIVERED:
        raise Conflict(f"Delivery {delivery_id!r} was already acknowledged by the receiver.")
    before = {"status": delivery.status, "attempts": delivery.attempts}
    was_dead = delivery.status == DeliveryStatus.DEAD
    store.reschedule_delivery(delivery, now=utcnow(), reset_attempts=was_dead)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="delivery.retry",
        object_type="webhook_delivery",
        object_id=delivery.id,
        before=before,
        after={"status": delivery.status, "attempts": delivery.attempts},
    )
    session.commit()
    return _view(delivery)


def rotate_webhook_secret(session: Session, actor: Actor, project_id: str) -> str:
    """Give the project a new webhook signing secret and return it (shown once). Commits.

    Deliveries still pending are signed with the new secret when they are sent.

    Raises:
        PermissionDenied: the actor is a worker or reviewer.
        NotFound: the project is not in the actor's organisation.

    """
    _require_project(session, actor, project_id)
    secret = secrets.token_hex(32)
    store.set_webhook_secret(session, actor.org_id, project_id, secret)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="project.webhook_secret.rotate",
        object_type="project",
        object_id=project_id,
    )
    session.commit()
    return secret
