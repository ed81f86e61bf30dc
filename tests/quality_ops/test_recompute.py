"""The recompute job over storage: scoring, detection, policy actions and their reversal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.domain.enums import Role
from assay.services import quality_jobs, quality_review
from assay.services.actor import Actor
from assay.store.models import AuditEvent, Job, Response, Task, Worker
from assay.store.models.quality_ops import QualityAction, QualitySignal, WorkerSkillEstimate
from tests.quality_ops.crowd import seed_crowd


def _lead(org_id: str) -> Actor:
    return Actor(org_id=org_id, role=Role.REQUESTER, key_id="lead")


def test_recompute_scores_flags_the_spammer_and_excludes_their_work(session: Session) -> None:
    crowd = seed_crowd(session)
    session.commit()
    report = quality_jobs.recompute_project(session, crowd.project)
    assert report.workers_scored == 6
    estimates = session.scalars(select(WorkerSkillEstimate)).all()
    combined = {e.worker_id: e for e in estimates if e.source == "combined"}
    for worker in crowd.good:
        assert combined[worker.id].mean > combined[crowd.spammer.id].mean
        assert combined[worker.id].low < combined[worker.id].mean < combined[worker.id].high
    gold = {e.worker_id: e for e in estimates if e.source == "gold"}
    assert gold[crowd.spammer.id].n == 10
    spam = session.scalar(
        select(QualitySignal).where(
            QualitySignal.kind == "spammer", QualitySignal.worker_id == crowd.spammer.id
        )
    )
    assert spam is not None and spam.flagged and spam.status == "actioned"
    assert spam.evidence["pattern"] in ("random", "constant") and spam.evidence["items"] >= 20
    flagged_good = session.scalars(
        select(QualitySignal).where(
            QualitySignal.kind == "spammer",
            QualitySignal.flagged.is_(True),
            QualitySignal.worker_id != crowd.spammer.id,
        )
    ).all()
    assert flagged_good == []
    session.refresh(crowd.spammer)
    assert crowd.spammer.status == "paused"
    excluded = session.scalars(
        select(Response).where(
            Response.worker_id == crowd.spammer.id, Response.status == "excluded"
        )
    ).all()
    assert len(excluded) == len(crowd.tasks)  # regular work only; gold answers stay as evidence
    reopened = session.get(Task, crowd.tasks[0].id)
    assert reopened is not None and reopened.state == "open" and reopened.open_slots == 1
    assert reopened.response_count == 2


def test_every_automatic_action_is_audited_and_reverts_exactly(session: Session) -> None:
    crowd = seed_crowd(session)
    session.commit()
    quality_jobs.recompute_project(session, crowd.project)
    lead = _lead(crowd.org.id)
    actions = session.scalars(
        select(QualityAction).where(QualityAction.target_id == crowd.spammer.id)
    ).all()
    kinds = {a.kind for a in actions}
    assert {"pause_worker", "exclude_responses"} <= kinds
    audited = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == crowd.spammer.id)
    ).all()
    assert "quality.pause_worker" in audited and "quality.exclude_responses" in audited
    for action in actions:
        if action.kind in ("pause_worker", "exclude_responses"):
            quality_review.revert_action(session, lead, action.id, "false alarm: known good worker")
    worker = session.get(Worker, crowd.spammer.id)
    assert worker is not None and worker.status == "active"
    restored = session.scalars(select(Response).where(Response.worker_id == crowd.spammer.id)).all()
    assert all(r.status == "accepted" for r in restored)
    task = session.get(Task, crowd.tasks[0].id)
    assert task is not None and task.state == "complete" and task.response_count == 3
    reverts = session.scalars(select(AuditEvent).where(AuditEvent.action == "quality.revert")).all()
    assert len(reverts) == 2
    # A lead's reversal stands: the next recompute does not pause the worker again.
    quality_jobs.recompute_project(session, crowd.project)
    session.refresh(worker)
    assert worker.status == "active"


def test_a_submit_schedules_one_recompute_per_project(session: Session) -> None:
    crowd = seed_crowd(session, tasks=2, gold=0)
    quality_jobs.schedule_recompute(session, crowd.project)
    quality_jobs.schedule_recompute(session, crowd.project)
    session.commit()
    jobs = session.scalars(select(Job).where(Job.kind == quality_jobs.JOB_KIND)).all()
    assert len(jobs) == 1 and jobs[0].payload == {"project_id": crowd.project.id}
