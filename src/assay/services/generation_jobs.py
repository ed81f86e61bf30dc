"""Queueing model generations as background jobs (kind ``model.generate``), one per prompt."""

from __future__ import annotations

import secrets

from assay.services.jobs import enqueue_job
from assay.store import Session

JOB_KIND = "model.generate"
# Spare job attempts beyond the generations' own budget, so the generation (which the
# requester sees) is what records the final failure, not the job.
_SPARE_ATTEMPTS = 3


def new_response_id() -> str:
    """Return an opaque id for a model response: random, so it reveals neither model nor order."""
    return "r" + secrets.token_hex(6)


def enqueue_generation(
    session: Session,
    *,
    org_id: str,
    task_id: str | None = None,
    eval_item_id: str | None = None,
    max_attempts: int,
) -> None:
    """Queue the job that asks the models for a task's (or an eval item's) responses."""
    subject = {"task_id": task_id} if task_id else {"eval_item_id": eval_item_id}
    enqueue_job(
        session,
        org_id=org_id,
        kind=JOB_KIND,
        payload=subject,
        dedupe_key=f"{JOB_KIND}:{task_id or eval_item_id}",
        max_attempts=max_attempts + _SPARE_ATTEMPTS,
    )
