"""Process control, gold lifecycle and reviewer audits over storage."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.domain.enums import Role
from assay.domain.workforce import ReviewSubmit
from assay.services import (
    gold_lifecycle,
    quality_jobs,
    quality_policy,
    quality_review,
    reviewer_audits,
    reviews,
)
from assay.services.actor import Actor
from assay.services.quality_data import load_project_data
from assay.store.base import utcnow
from assay.store.models import Task, WebhookDelivery, Worker
from assay.store.models.quality_ops import QualityAction, QualityAlarm
from tests.quality_ops.crowd import seed_crowd
from tests.support.factories import make_response, make_task, make_worker


def test_a_worker_whose_gold_accuracy_drops_raises_an_alarm_and_is_quarantined(
    session: Session,
) -> None:
    crowd = seed_crowd(session, tasks=4, gold=30, callback_url="https://example.test/hook")
    drifting = make_worker(session, crowd.org, handle="drifting")
    start = utcnow() - timedelta(hours=1)
    for i, task in enumerate(crowd.gold):
        truth = crowd.truth[task.id]
        vote = truth if i < 8 else next(x for x in ("pos", "neu", "neg") if x != truth)
        make_response(
            session,
            task,
            drifting,
            {"sentiment": vote},
            gold_correct=vote == truth,
            created_at=start + timedelta(seconds=i),
        )
    session.commit()
    lead = Actor(org_id=crowd.org.id, role=Role.REQUESTER, key_id="lead")
    # Detectors only flag here, so the pause below comes from process control.
    quality_policy.update_quality_settings(
        session,
        lead,
        crowd.project.id,
        quality_target=None,
        max_responses=None,
        rules=[{"signal": "spammer", "actions": ["flag"]}],
        settings=None,
    )
    quality_jobs.recompute_project(session, crowd.project)
    alarm = session.scalar(select(QualityAlarm).where(QualityAlarm.subject_id == drifting.id))
    assert alarm is not None and alarm.scope == "worker" and alarm.status == "open"
    assert alarm.statistic >= alarm.threshold or alarm.method == "sprt"
    assert alarm.evidence["gold_answers"] == 30
    worker = session.get(Worker, drifting.id)
    assert worker is not None and worker.status == "paused"
    quarantine = session.scalar(
        select(QualityAction).where(
            QualityAction.kind == "quarantine_worker", QualityAction.target_id == drifting.id
        )
    )
    assert quarantine is not None and quarantine.alarm_id == alarm.id
    hooks = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.event == "quality.alarm")
    ).all()
    assert any(h.payload["alarm"]["subject_id"] == drifting.id for h in hooks)
    quality_review.resolve_alarm(session, lead, alarm.id, "talked to them")
    quality_review.revert_action(session, lead, quarantine.id, "back after coaching")
    session.refresh(worker)
    assert worker.status == "active"


def test_leaked_gold_is_detected_and_retired_reversibly(session: Session) -> None:
    crowd = seed_crowd(session, tasks=20, gold=6)
    leaked = crowd.gold[0]
    fast_and_right = [make_worker(session, crowd.org, handle=f"fast-{i}") for i in range(12)]
    for worker in fast_and_right:
        make_response(
            session,
            leaked,
            worker,
            {"sentiment": crowd.truth[leaked.id]},
            gold_correct=True,
            active_time_ms=400,
        )
    session.commit()
    quality_jobs.recompute_project(session, crowd.project)
    task = session.get(Task, leaked.id)
    assert task is not None and task.state == "cancelled"
    lead = Actor(org_id=crowd.org.id, role=Role.REQUESTER, key_id="lead")
    rows = {r.task.id: r for r in gold_lifecycle.gold_overview(session, lead, crowd.project.id)}
    assert rows[leaked.id].status == "retired" and rows[leaked.id].leak_flagged
    assert not any(r.leak_flagged for t, r in rows.items() if t != leaked.id)
    action = session.scalar(select(QualityAction).where(QualityAction.kind == "retire_gold"))
    assert action is not None
    quality_review.revert_action(session, lead, action.id, "we rotated the example instead")
    session.refresh(task)
    assert task.state == "open"


def test_gold_that_looks_different_is_reported(session: Session) -> None:
    crowd = seed_crowd(session, tasks=30, gold=10)
    data = load_project_data(session, crowd.project)
    same = gold_lifecycle.detect_distinguishable_gold(data)
    assert same and same[0].kind == "gold_distinguishable"
    for task in crowd.gold:
        task.payload = {"review": "A long, carefully written gold example " * 20}
    session.flush()
    differs = gold_lifecycle.detect_distinguishable_gold(load_project_data(session, crowd.project))
    assert differs[0].flagged and differs[0].score > same[0].score


def test_rotating_gold_retires_what_predates_new_guidelines(session: Session) -> None:
    crowd = seed_crowd(session, tasks=2, gold=3)
    lead = Actor(org_id=crowd.org.id, role=Role.REQUESTER, key_id="lead")
    from assay.domain.project import GuidelinesIn
    from assay.services.projects import publish_guidelines

    session.commit()
    version = publish_guidelines(
        session, lead, crowd.project.id, GuidelinesIn(goal="Sarcasm is negative")
    )
    fresh = make_task(
        session, crowd.project, is_gold=True, gold_answer={"sentiment": "neg"}, open_slots=0
    )
    session.commit()
    retired = gold_lifecycle.rotate_gold(
        session, lead, crowd.project.id, created_before_version=version.version
    )
    assert set(retired) == {t.id for t in crowd.gold}
    assert session.get(Task, fresh.id).state == "open"  # type: ignore[union-attr]


def test_planted_review_errors_measure_each_reviewers_catch_rate(session: Session) -> None:
    crowd = seed_crowd(session, tasks=2, gold=6, review_policy={"stages": [{"name": "review"}]})
    careful = make_worker(session, crowd.org, handle="careful")
    lax = make_worker(session, crowd.org, handle="lax")
    session.commit()
    lead = Actor(org_id=crowd.org.id, role=Role.REQUESTER, key_id="lead")
    planted = reviewer_audits.seed_review_errors(session, lead, crowd.project.id, count=6, stage=0)
    assert len(planted) == 6
    for index, response_id in enumerate(planted):
        reviewer = careful if index % 2 == 0 else lax
        actor = Actor(org_id=crowd.org.id, role=Role.REVIEWER, worker_id=reviewer.id)
        verdict = (
            ReviewSubmit(verdict="reject", reason="wrong label")
            if reviewer is careful
            else ReviewSubmit(verdict="accept")
        )
        reviews.submit_review(session, actor, response_id, verdict)
    rates = {r.handle: r for r in reviewer_audits.catch_rates(session, lead, crowd.project.id)}
    assert rates["careful"].rate == 1.0 and rates["careful"].reviewed == 3
    assert rates["lax"].rate == 0.0 and rates["lax"].high < 1.0
    # Planted work stays out of the project's own statistics.
    data = load_project_data(session, crowd.project)
    assert all(r.worker_id != "assay-audit" for r in data.responses)
    assert all(r.id not in planted for r in data.responses)
