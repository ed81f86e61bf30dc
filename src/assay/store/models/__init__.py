"""SQLAlchemy tables, one module per area; importing this package registers them all."""

from assay.store.models import quality_ops as quality_ops  # quality-operations tables
from assay.store.models import rlhf as rlhf  # registers the RLHF tables
from assay.store.models.audit import AuditEvent
from assay.store.models.delivery import Blob, WebhookDelivery
from assay.store.models.jobs import Job
from assay.store.models.organisations import (
    Account,
    ApiKey,
    IdempotencyRecord,
    Organisation,
    WebSession,
    Worker,
)
from assay.store.models.projects import Batch, GuidelineQuestion, GuidelineVersion, Project
from assay.store.models.tasks import Task
from assay.store.models.work import Assignment, Response, Result, Review

__all__ = [
    "Account",
    "ApiKey",
    "Assignment",
    "AuditEvent",
    "Batch",
    "Blob",
    "GuidelineQuestion",
    "GuidelineVersion",
    "IdempotencyRecord",
    "Job",
    "Organisation",
    "Project",
    "Response",
    "Result",
    "Review",
    "Task",
    "WebSession",
    "WebhookDelivery",
    "Worker",
]
