"""The Python client of Assay's REST API: ``from assay import Client``.

It talks HTTP only (httpx) and returns pydantic models, so it needs nothing else of Assay::

    from assay import Client

    with Client("http://127.0.0.1:8000", api_key) as client:
        project = client.create_project("Sentiment", template, redundancy=3)
        report = client.submit_tasks(project.id, tasks)   # chunked, idempotent by unique_id
"""

from __future__ import annotations

from assay.sdk._client import Client
from assay.sdk._errors import AssayAPIError
from assay.sdk._models import (
    Assignment,
    AuditEvent,
    Batch,
    Guidelines,
    ImportReport,
    Lease,
    Media,
    Project,
    ProjectSummary,
    Response,
    Result,
    Review,
    Submission,
    Task,
    TaskDetail,
    TaskInput,
    WorkerGuidelines,
    WorkerProject,
    WorkerTask,
)

__all__ = [
    "AssayAPIError",
    "Assignment",
    "AuditEvent",
    "Batch",
    "Client",
    "Guidelines",
    "ImportReport",
    "Lease",
    "Media",
    "Project",
    "ProjectSummary",
    "Response",
    "Result",
    "Review",
    "Submission",
    "Task",
    "TaskDetail",
    "TaskInput",
    "WorkerGuidelines",
    "WorkerProject",
    "WorkerTask",
]
