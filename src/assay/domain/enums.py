"""The closed vocabularies of Assay: roles, statuses and their allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What an API key (or account) may do."""

    REQUESTER = "requester"
    WORKER = "worker"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class TaskState(StrEnum):
    """Where a task is in its life.

    open -> complete (enough responses) -> delivered; any non-final state -> cancelled.
    """

    OPEN = "open"
    COMPLETE = "complete"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class AssignmentStatus(StrEnum):
    """A worker's lease on a task."""

    ACTIVE = "active"
    SUBMITTED = "submitted"
    EXPIRED = "expired"
    RELEASED = "released"
    # A reviewer rejected the work and gave the task to someone else.
    REJECTED = "rejected"


class WorkerStatus(StrEnum):
    """Where a worker is in the workforce."""

    APPLICANT = "applicant"
    PROBATION = "probation"
    ACTIVE = "active"
    PAUSED = "paused"
    REMOVED = "removed"


class DeliveryStatus(StrEnum):
    """A webhook delivery in the outbox."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


# Which roles may act as each capability; admin may do everything.
WORK_ROLES = frozenset({Role.WORKER, Role.REVIEWER, Role.ADMIN})
REQUESTER_ROLES = frozenset({Role.REQUESTER, Role.ADMIN})
