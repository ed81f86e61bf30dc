"""Rows with sensible defaults, made through a Session (flushed, never committed).

Each factory takes the parent rows it hangs off and keyword overrides for any column, e.g.
``make_task(session, project, is_gold=True, gold_answer={"sentiment": "pos"})``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.services.keys import KEY_PREFIX, hash_key
from assay.store.base import new_id, utcnow
from assay.store.models import (
    ApiKey,
    Assignment,
    Batch,
    Organisation,
    Project,
    Response,
    Result,
    Review,
    Task,
    Worker,
)

LABEL_TEMPLATE: dict[str, Any] = {
    "fields": [{"kind": "text", "name": "review"}],
    "questions": [
        {
            "type": "label",
            "name": "sentiment",
            "prompt": "Sentiment?",
            "options": [{"value": "pos"}, {"value": "neu"}, {"value": "neg"}],
        }
    ],
}


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row


def make_organisation(session: Session, name: str | None = None) -> Organisation:
    """An organisation with a unique name."""
    return _add(session, Organisation(id=new_id("org"), name=name or f"org-{secrets.token_hex(4)}"))


def make_worker(session: Session, org: Organisation, **overrides: Any) -> Worker:
    """An active worker of ``org``."""
    values: dict[str, Any] = {"handle": f"worker-{secrets.token_hex(4)}", "status": "active"}
    values.update(overrides)
    return _add(session, Worker(id=new_id("wrk"), org_id=org.id, **values))


def make_api_key(
    session: Session, org: Organisation, role: str, worker: Worker | None = None
) -> str:
    """A live key of ``role`` in ``org``; returns the plaintext secret."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        id=new_id("key"),
        org_id=org.id,
        role=role,
        key_hash=hash_key(secret),
        key_prefix=secret[:12],
        worker_id=worker.id if worker else None,
    )
    _add(session, key)
    return secret


def make_project(session: Session, org: Organisation, **overrides: Any) -> Project:
    """A sentiment-labelling project with redundancy 2 and no callback URL."""
    values: dict[str, Any] = {
        "name": "Sentiment",
        "template": LABEL_TEMPLATE,
        "redundancy": 2,
        "webhook_secret": secrets.token_hex(32),
        "guideline_version": 1,
    }
    values.update(overrides)
    return _add(session, Project(id=new_id("prj"), org_id=org.id, **values))


def make_batch(session: Session, project: Project, **overrides: Any) -> Batch:
    """A batch of ``project``."""
    values: dict[str, Any] = {"name": "batch"}
    values.update(overrides)
    return _add(
        session, Batch(id=new_id("bat"), org_id=project.org_id, project_id=project.id, **values)
    )


def make_task(session: Session, project: Project, **overrides: Any) -> Task:
    """An open task of ``project``."""
    values: dict[str, Any] = {
        "unique_id": f"u-{secrets.token_hex(6)}",
        "payload": {"review": "Great value."},
        "redundancy": project.redundancy,
        "open_slots": project.redundancy,
    }
    values.update(overrides)
    return _add(
        session, Task(id=new_id("tsk"), org_id=project.org_id, project_id=project.id, **values)
    )


def make_response(
    session: Session,
    task: Task,
    worker: Worker,
    answer: dict[str, Any] | None = None,
    *,
    variant_id: str | None = None,
    **overrides: Any,
) -> Response:
    """A submitted response of ``worker`` to ``task`` (with its closed assignment).

    ``variant_id`` is the experiment arm the assignment was leased under.
    """
    now = utcnow()
    assignment = _add(
        session,
        Assignment(
            id=new_id("asg"),
            org_id=task.org_id,
            project_id=task.project_id,
            task_id=task.id,
            worker_id=worker.id,
            status="submitted",
            expires_at=now + timedelta(minutes=15),
            submitted_at=now,
            guideline_version=overrides.get("guideline_version", 1),
            variant_id=variant_id,
        ),
    )
    values: dict[str, Any] = {
        "answer": answer if answer is not None else {"sentiment": "pos"},
        "guideline_version": 1,
        "active_time_ms": 12_000,
        "telemetry": {"pastes": 0},
    }
    values.update(overrides)
    return _add(
        session,
        Response(
            id=new_id("rsp"),
            org_id=task.org_id,
            project_id=task.project_id,
            task_id=task.id,
            assignment_id=assignment.id,
            worker_id=worker.id,
            **values,
        ),
    )


def make_review(session: Session, response: Response, reviewer: Worker, **overrides: Any) -> Review:
    """An accepting review of ``response`` by ``reviewer``."""
    values: dict[str, Any] = {"stage": "review", "verdict": "accept", "score": 1.0}
    values.update(overrides)
    return _add(
        session,
        Review(
            id=new_id("rev"),
            org_id=response.org_id,
            response_id=response.id,
            reviewer_id=reviewer.id,
            **values,
        ),
    )


def make_result(
    session: Session, task: Task, responses: list[Response], **overrides: Any
) -> Result:
    """A majority-vote result of ``task`` from ``responses``; marks the task complete."""
    values: dict[str, Any] = {
        "answer": responses[0].answer if responses else {},
        "confidence": 1.0,
        "method": "majority_vote",
        "method_version": "1",
        "response_ids": [r.id for r in responses],
    }
    values.update(overrides)
    task.state = "complete"
    task.completed_at = utcnow()
    task.response_count = len(responses)
    return _add(
        session, Result(task_id=task.id, org_id=task.org_id, project_id=task.project_id, **values)
    )


def make_completed_task(
    session: Session, project: Project, workers: list[Worker], **task_overrides: Any
) -> Task:
    """A task answered ``pos`` by each of ``workers``, with its result."""
    task = make_task(session, project, **task_overrides)
    responses = [make_response(session, task, worker) for worker in workers]
    make_result(session, task, responses)
    return task
