"""Review queues: reviewers accept, reject (rework or reassign) or edit, grading with the rubric."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assay.domain.answers import rubric_score, validate_answer
from assay.domain.enums import AssignmentStatus, Role
from assay.domain.questions import RubricQuestion
from assay.domain.workforce import ReviewSubmit
from assay.errors import Conflict, InvalidInput, NotFound
from assay.services.actor import Actor
from assay.services.experiment_variants import serve_response
from assay.services.submissions import count_accepted_response, next_review_stage
from assay.services.tasks import cached_template, project_template
from assay.store import Session, queue
from assay.store import projects as project_store
from assay.store import reviews as store
from assay.store import tasks as task_store
from assay.store import work as work_store
from assay.store.audit import insert_audit_event
from assay.store.base import new_id, utcnow
from assay.store.models import Assignment, GuidelineVersion, Project, Response, Review, Task

REVIEW_LEASE = timedelta(minutes=15)
REWORK_HOLD = timedelta(days=3)


@dataclass(frozen=True)
class ReviewItem:
    """A response to review, with what the reviewer needs to judge it."""

    response: Response
    task: Task
    project: Project
    guidelines: GuidelineVersion | None
    stage_name: str
    previous_reviews: list[Review]
    # The template the response answered: the project's, or its experiment arm's.
    template: dict[str, Any]


def _stage(review_policy: dict[str, Any], index: int) -> dict[str, Any]:
    stages = (review_policy or {}).get("stages", [])
    return dict(stages[index]) if index < len(stages) else {"name": "review", "on_reject": "rework"}


def next_review(
    session: Session, actor: Actor, project_id: str | None = None, *, now: datetime | None = None
) -> ReviewItem | None:
    """Lease the next response waiting for review (never the reviewer's own); commits."""
    actor.require(Role.REVIEWER)
    reviewer_id = actor.require_worker()
    projects = project_store.list_projects(session, actor.org_id, status="active")
    if project_id is not None:
        projects = [p for p in projects if p.id == project_id]
    now = now or utcnow()
    response_id = store.claim_review(
        session,
        project_ids=[p.id for p in projects],
        reviewer_id=reviewer_id,
        now=now,
        until=now + REVIEW_LEASE,
    )
    session.commit()
    if response_id is None:
        return None
    return load_review_item(session, actor, response_id)


def load_review_item(session: Session, actor: Actor, response_id: str) -> ReviewItem:
    """A response with its task, project, guidelines and earlier reviews (reviewers only)."""
    actor.require(Role.REVIEWER)
    response = store.get_response(session, actor.org_id, response_id)
    if response is None:
        raise NotFound(f"No response {response_id!r} in this organisation.")
    task = task_store.get_task(session, actor.org_id, response.task_id)
    project = project_store.get_project(session, actor.org_id, response.project_id)
    assert task is not None and project is not None
    # Judged against what its author was shown: their guideline version, template, stages.
    served = serve_response(session, project, response)
    return ReviewItem(
        response=response,
        task=task,
        project=project,
        guidelines=served.guidelines,
        stage_name=str(_stage(served.review_policy, response.review_stage).get("name", "review")),
        previous_reviews=work_store.list_reviews_for_responses(session, [response.id]),
        template=served.template,
    )


def _rubric_score(project: Project, grades: dict[str, Any] | None) -> float | None:
    if not grades:
        return None
    rubric = next(
        (q for q in project_template(project).questions if isinstance(q, RubricQuestion)), None
    )
    if rubric is None:
        raise InvalidInput("This project's template has no rubric question to grade with.")
    known = {c.id: c for c in rubric.criteria}
    for criterion_id, grade in grades.items():
        criterion = known.get(criterion_id)
        if criterion is None:
            raise InvalidInput(f"rubric: unknown criterion {criterion_id!r}.")
        numeric = isinstance(grade, (int, float)) and not isinstance(grade, bool)
        if not (isinstance(grade, bool) or (numeric and 0 <= grade <= max(criterion.points, 0))):
            raise InvalidInput(
                f"rubric.{criterion_id}: give true/false or points between 0 and "
                f"{criterion.points}."
            )
    return rubric_score(rubric, grades)


def submit_review(
    session: Session,
    actor: Actor,
    response_id: str,
    verdict: ReviewSubmit,
    *,
    rng: random.Random | None = None,
) -> Review:
    """Record a verdict and move the work on per the project's review policy; commits."""
    actor.require(Role.REVIEWER)
    reviewer_id = actor.require_worker()
    response = store.get_response(session, actor.org_id, response_id, lock=True)
    if response is None:
        raise NotFound(f"No response {response_id!r} in this organisation.")
    if response.worker_id == reviewer_id:
        raise Conflict("Reviewers cannot review their own work.")
    if response.status != "in_review":
        raise Conflict(f"This response is {response.status}, not waiting for review.")
    task = task_store.get_task_for_update(session, response.task_id)
    project = project_store.get_project(session, actor.org_id, response.project_id)
    assert task is not None and project is not None
    served = serve_response(session, project, response)
    edited = None
    if verdict.edited_answer is not None:
        template = cached_template(served.template)
        edited = validate_answer(template, verdict.edited_answer, task.payload)
    if verdict.verdict == "reject" and not verdict.reason.strip():
        raise InvalidInput("A rejection needs a reason: the author will read it.")
    stage = _stage(served.review_policy, response.review_stage)
    review = Review(
        id=new_id("rev"),
        org_id=actor.org_id,
        response_id=response.id,
        reviewer_id=reviewer_id,
        stage=str(stage.get("name", "review")),
        verdict=verdict.verdict,
        reason=verdict.reason,
        score=_rubric_score(project, verdict.rubric),
        rubric=verdict.rubric,
        edited_answer=edited,
    )
    store.insert_review(session, review)
    now = utcnow()
    response.review_claimed_by = None
    response.review_claimed_until = None
    if verdict.verdict == "accept":
        policy = served.review_policy
        _accept(session, project, task, response, policy, edited, now, rng or random.Random())
    else:
        _reject(
            session,
            project,
            task,
            response,
            str(stage.get("on_reject", "rework")),
            verdict.reason,
            now,
        )
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action=f"review.{verdict.verdict}",
        object_type="response",
        object_id=response.id,
        after={"stage": review.stage, "reason": verdict.reason[:500], "edited": edited is not None},
    )
    session.commit()
    return review


def _accept(
    session: Session,
    project: Project,
    task: Task,
    response: Response,
    review_policy: dict[str, Any],
    edited: dict[str, Any] | None,
    now: datetime,
    rng: random.Random,
) -> None:
    if edited is not None:
        response.reviewed_answer = edited
    following = next_review_stage(review_policy, response.review_stage, rng)
    if following is not None:
        response.review_stage = following
        return
    response.status = "accepted"
    response.reviewed_at = now
    count_accepted_response(session, project, task, now)


def _reject(
    session: Session,
    project: Project,
    task: Task,
    response: Response,
    on_reject: str,
    reason: str,
    now: datetime,
) -> None:
    response.status = "rejected"
    response.reviewed_at = now
    assignment = session.get(Assignment, response.assignment_id)
    assert assignment is not None
    if on_reject == "rework":
        assignment.status = AssignmentStatus.ACTIVE.value
        assignment.rework_reason = reason
        assignment.rework_count += 1
        assignment.draft = {"answer": response.answer}
        # The author may not be online now: keep the work theirs for a few days, not one lease.
        assignment.expires_at = now + max(REWORK_HOLD, timedelta(seconds=project.lease_seconds))
    else:
        assignment.status = AssignmentStatus.REJECTED.value
        queue.return_slot(session, task.id)


def list_rework(session: Session, actor: Actor) -> list[Assignment]:
    """The calling worker's assignments sent back for rework."""
    worker_id = actor.require_worker()
    return work_store.list_rework(session, actor.org_id, worker_id)
