"""Submitting an answer: validation, gold scoring, review routing, completion and delivery."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assay.domain.answers import answer_key, validate_answer
from assay.domain.enums import AssignmentStatus, TaskState
from assay.errors import Conflict, LeaseExpired, NotFound
from assay.services import sides
from assay.services.actor import Actor
from assay.services.delivery_gate import gate_completed_task
from assay.services.experiment_variants import ServedVersion, serve_assignment
from assay.services.qualification import evaluate_qualification
from assay.services.quality_jobs import schedule_recompute
from assay.services.results import aggregate_result
from assay.services.tasks import cached_template, project_template
from assay.services.webhooks import enqueue_result_delivery
from assay.store import Session, queue
from assay.store import work as store
from assay.store.base import new_id, utcnow
from assay.store.models import Assignment, Project, Response, Task


@dataclass(frozen=True)
class Submission:
    """A submit's outcome; ``replayed`` is true when it repeated an earlier identical submit."""

    response: Response
    replayed: bool


def gold_verdict(project: Project, task: Task, answer: dict[str, Any]) -> bool | None:
    """Whether an answer to a gold task matches every question the gold answer covers."""
    if not task.is_gold or not task.gold_answer:
        return None
    by_name = {q.name: q for q in project_template(project).questions}
    return all(
        answer_key(by_name[name], answer.get(name)) == answer_key(by_name[name], expected)
        for name, expected in task.gold_answer.items()
        if name in by_name
    )


def next_review_stage(review_policy: dict[str, Any], after: int, rng: random.Random) -> int | None:
    """The index of the next review stage a response is sampled into, or None when done.

    ``review_policy`` is the one the response was made under (its project's, or its
    experiment arm's). ``after`` is the stage just passed (-1 for a fresh submission). A stage
    with sample_rate 0.1 (a spot-check) takes one response in ten; the others skip it.
    """
    stages = (review_policy or {}).get("stages", [])
    for index in range(after + 1, len(stages)):
        if rng.random() < float(stages[index].get("sample_rate", 1.0)):
            return index
    return None


def submit_response(
    session: Session,
    actor: Actor,
    assignment_id: str,
    answer: object,
    *,
    active_time_ms: int | None = None,
    telemetry: dict[str, Any] | None = None,
    rng: random.Random | None = None,
) -> Submission:
    """Store the answer and close the lease atomically; commits. A retried submit is harmless."""
    lease = queue.lock_lease(session, actor.org_id, assignment_id, actor.require_worker())
    if lease is None:
        raise NotFound(f"No assignment {assignment_id!r} for this worker.")
    assignment, task, project = lease
    # The answer is held to what the lease showed: the project's template, or its arm's.
    served = serve_assignment(session, project, assignment, with_guidelines=False)
    normalised = validate_answer(cached_template(served.template), answer, task.payload)
    normalised = sides.to_task_order(session, assignment, project, task, normalised)
    if assignment.status == AssignmentStatus.SUBMITTED:
        earlier = store.latest_response(session, assignment.id)
        if earlier is not None and earlier.answer == normalised:
            session.rollback()
            return Submission(earlier, replayed=True)
        raise Conflict("This assignment was already submitted with a different answer.")
    if assignment.status != AssignmentStatus.ACTIVE:
        raise LeaseExpired()
    if task.state == TaskState.CANCELLED:
        raise Conflict("The task was cancelled by its requester; ask for the next task.")
    now = utcnow()
    rng = rng or random.Random()
    stage = None if task.is_gold else next_review_stage(served.review_policy, -1, rng)
    response = _new_response(
        served, project, task, assignment, normalised, stage, now, active_time_ms, telemetry
    )
    counted = project.kind != "qualification" and not task.is_gold and stage is None
    completed = counted and _completes(task)
    store.record_submission(
        session, response, assignment, task, counted=counted, completed=completed
    )
    schedule_recompute(session, project)
    if project.kind == "qualification":
        evaluate_qualification(session, project, assignment.worker_id)
    elif completed:
        _deliver_completed(session, project, task, counted=response)
    session.commit()
    return Submission(response, replayed=False)


def _new_response(
    served: ServedVersion,
    project: Project,
    task: Task,
    assignment: Assignment,
    answer: dict[str, Any],
    stage: int | None,
    now: datetime,
    active_time_ms: int | None,
    telemetry: dict[str, Any] | None,
) -> Response:
    return Response(
        id=new_id("rsp"),
        org_id=assignment.org_id,
        project_id=project.id,
        task_id=task.id,
        assignment_id=assignment.id,
        worker_id=assignment.worker_id,
        answer=answer,
        guideline_version=served.guideline_version,
        model_suggestion=assignment.model_suggestion,
        active_time_ms=active_time_ms,
        telemetry=telemetry or {},
        gold_correct=gold_verdict(project, task, answer),
        status="accepted" if stage is None else "in_review",
        review_stage=stage or 0,
        pay_cents=served.pay_per_task_cents,
        created_at=now,
    )


def count_accepted_response(session: Session, project: Project, task: Task, now: datetime) -> None:
    """One more accepted response; at the redundancy, the task completes and is delivered."""
    if _count_accepted(task, now):
        _deliver_completed(session, project, task)


def _completes(task: Task) -> bool:
    """Whether one more accepted response completes the task."""
    return task.state == TaskState.OPEN and task.response_count + 1 >= task.redundancy


def _count_accepted(task: Task, now: datetime) -> bool:
    """Count one more accepted response; whether that completed the task."""
    completed = _completes(task)
    task.response_count += 1
    if completed:
        task.state = TaskState.COMPLETE.value
        task.completed_at = now
    return completed


def _deliver_completed(
    session: Session, project: Project, task: Task, counted: Response | None = None
) -> None:
    """Aggregate a completed task's result and send it on (or hold it at the delivery gate).

    ``counted`` is the response whose acceptance completed the task. The task's count tracks
    its accepted responses, so at a count of one that response is all there is to aggregate
    and nothing is read back.
    """
    if counted is not None and task.response_count == 1:
        responses = [counted]
    else:
        responses = store.list_task_responses(session, task.id)
    result = aggregate_result(
        project_template(project), task.id, task.org_id, project.id, responses
    )
    store.save_result(session, result)
    if project.quality_target is None:
        enqueue_result_delivery(session, project, task.id)
    else:
        gate_completed_task(session, project, task)
