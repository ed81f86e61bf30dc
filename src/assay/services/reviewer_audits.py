"""Auditing reviewers: plant known errors in review queues and measure each reviewer's catch rate.

A planted error is a copy of a gold task (same payload, in a hidden task that never enters the
work queue) with a response whose answer is deliberately wrong on the categorical question,
written by the organisation's ``assay-audit`` worker and placed in a review stage's queue. Stage
0 audits first-level reviewers; a later stage audits the second-level auditors. A reviewer
catches it by rejecting it or by editing the answer back to the gold one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from assay.domain.enums import Role
from assay.errors import InvalidInput
from assay.quality.signals import wilson_interval
from assay.services.actor import Actor
from assay.services.projects import load_project
from assay.services.quality_data import answer_of, categorical_question, class_of
from assay.services.tasks import project_template
from assay.store import Session
from assay.store import organisations as org_store
from assay.store import quality_gate as store
from assay.store import work as work_store
from assay.store.base import new_id, utcnow
from assay.store.models import Assignment, Response, Task
from assay.store.models.quality_ops import SeededError

AUDIT_HANDLE = "assay-audit"


def _audit_worker_id(session: Session, org_id: str) -> str:
    worker = org_store.get_worker_by_handle(session, org_id, AUDIT_HANDLE)
    if worker is None:
        worker = org_store.insert_worker(session, org_id=org_id, handle=AUDIT_HANDLE)
        worker.status, worker.display_name = "removed", "Review audit (planted errors)"
    return worker.id


def seed_review_errors(
    session: Session, actor: Actor, project_id: str, count: int, stage: int
) -> list[str]:
    """Plant ``count`` wrong answers in review stage ``stage``; return their ids. Commits."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    stages = (project.review_policy or {}).get("stages", [])
    if stage >= len(stages):
        raise InvalidInput(
            f"The project has {len(stages)} review stages; stage {stage} does not exist."
        )
    question = categorical_question(project_template(project))
    gold = [
        t
        for t in store.list_gold_tasks(session, project.id)
        if question is not None and class_of(question, t.gold_answer) is not None
    ]
    if question is None or not gold:
        raise InvalidInput("Planting errors needs gold tasks with an answer to a label question.")
    rng = random.Random()
    author = _audit_worker_id(session, project.org_id)
    planted = []
    sources = rng.sample(gold, count) if count <= len(gold) else rng.choices(gold, k=count)
    for source in sources:
        planted.append(
            _plant(session, project.org_id, project.id, source, question, author, stage, rng)
        )
    session.commit()
    return planted


def _plant(
    session: Session,
    org_id: str,
    project_id: str,
    source: Task,
    question: Any,
    author: str,
    stage: int,
    rng: random.Random,
) -> str:
    now = utcnow()
    truth = class_of(question, source.gold_answer)
    assert truth is not None and source.gold_answer is not None
    wrong = rng.choice([c for i, c in enumerate(question.classes) if i != truth])
    base = next((answer_of(r) for r in work_store.list_task_responses(session, source.id)), None)
    answer = {**(base or source.gold_answer), question.name: wrong}
    hidden = Task(
        id=new_id("tsk"),
        org_id=org_id,
        project_id=project_id,
        unique_id=f"review-audit-{new_id('aud')}",
        payload=source.payload,
        metadata_={"review_audit": True},
        state="audit",
        redundancy=1000,
        open_slots=0,
    )
    session.add(hidden)
    assignment = Assignment(
        id=new_id("asg"),
        org_id=org_id,
        project_id=project_id,
        task_id=hidden.id,
        worker_id=author,
        status="submitted",
        leased_at=now,
        expires_at=now + timedelta(minutes=1),
        submitted_at=now,
    )
    session.add(assignment)
    session.flush()
    response = Response(
        id=new_id("rsp"),
        org_id=org_id,
        project_id=project_id,
        task_id=hidden.id,
        assignment_id=assignment.id,
        worker_id=author,
        answer=answer,
        status="in_review",
        review_stage=stage,
        telemetry={},
        created_at=now,
    )
    work_store.insert_response(session, response)
    store.add_seeded_error(
        session,
        SeededError(
            response_id=response.id,
            org_id=org_id,
            project_id=project_id,
            source_task_id=source.id,
            stage=stage,
            expected_answer=dict(source.gold_answer),
        ),
    )
    return response.id


@dataclass(frozen=True)
class CatchRate:
    """How often a reviewer caught planted errors at one stage."""

    reviewer_id: str
    handle: str
    stage: int
    reviewed: int
    caught: int
    low: float
    high: float

    @property
    def rate(self) -> float | None:
        """Share of planted errors caught."""
        return self.caught / self.reviewed if self.reviewed else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "reviewer_id": self.reviewer_id,
            "handle": self.handle,
            "stage": self.stage,
            "reviewed": self.reviewed,
            "caught": self.caught,
            "catch_rate": self.rate,
            "interval": [self.low, self.high],
        }


def catch_rates(session: Session, actor: Actor, project_id: str) -> list[CatchRate]:
    """Each reviewer's catch rate per stage, with a Wilson 95% interval."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    question = categorical_question(project_template(project))
    tally: dict[tuple[str, int], list[bool]] = {}
    for seeded, _response, review in store.list_seeded_reviews(session, project.id):
        if review is None:
            continue
        fixed = (
            review.edited_answer is not None
            and question is not None
            and class_of(question, review.edited_answer)
            == class_of(question, seeded.expected_answer)
        )
        tally.setdefault((review.reviewer_id, seeded.stage), []).append(
            review.verdict == "reject" or fixed
        )
    rows = []
    for (reviewer_id, stage), caught in sorted(tally.items()):
        worker = org_store.get_worker(session, project.org_id, reviewer_id)
        low, high = wilson_interval(float(sum(caught)), float(len(caught)))
        rows.append(
            CatchRate(
                reviewer_id,
                worker.handle if worker else reviewer_id,
                stage,
                len(caught),
                sum(caught),
                low,
                high,
            )
        )
    return rows
