"""A recompute never changes a delivered result: the re-score is kept beside it and flagged."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.services import quality_jobs
from assay.services.delivered_results import RESCORE_KEY, SIGNAL_KIND, is_delivered
from assay.store.base import utcnow
from assay.store.models import Result
from assay.store.models.quality_ops import QualitySignal, TaskGate
from tests.quality_ops.crowd import seed_crowd
from tests.support.factories import make_response, make_result, make_task


def _snapshot(result: Result) -> tuple[object, ...]:
    return (result.answer, result.confidence, result.method, result.response_ids)


def test_delivered_results_keep_their_answer_and_a_changed_one_is_flagged(
    session: Session,
) -> None:
    crowd = seed_crowd(session, tasks=20)
    # Delivered as "neu" though three good workers said "pos": the re-score will disagree.
    wrong = make_task(session, crowd.project)
    answers = [make_response(session, wrong, w, {"sentiment": "pos"}) for w in crowd.good[:3]]
    make_result(session, wrong, answers, answer={"sentiment": "neu"}, confidence=0.5)
    session.commit()
    results = {r.task_id: r for r in session.scalars(select(Result))}
    before = {task_id: _snapshot(r) for task_id, r in results.items()}

    report = quality_jobs.recompute_project(session, crowd.project)

    assert report.results_updated == 0 and report.delivered_kept == 21
    for task_id, result in results.items():
        session.refresh(result)
        assert _snapshot(result) == before[task_id]
        rescored = result.details[RESCORE_KEY]
        assert set(rescored) >= {"answer", "confidence", "raw_confidence", "posterior", "at"}
    changed = results[wrong.id].details[RESCORE_KEY]
    assert changed["answer"] == {"sentiment": "pos"} and changed["differs"] is True
    signals = session.scalars(select(QualitySignal).where(QualitySignal.kind == SIGNAL_KIND)).all()
    flagged = {s.subject_id: s for s in signals if s.flagged}
    assert wrong.id in flagged and len(flagged) == report.delivered_differing
    assert flagged[wrong.id].evidence["delivered_answer"] == "neu"
    assert flagged[wrong.id].evidence["rescored_answer"] == "pos"
    differing = {t for t, r in results.items() if r.details[RESCORE_KEY]["differs"]}
    assert differing == set(flagged)


def test_a_second_recompute_leaves_an_unmoved_rescore_alone(session: Session) -> None:
    crowd = seed_crowd(session, tasks=10)
    session.commit()
    quality_jobs.recompute_project(session, crowd.project)
    first = {r.task_id: r.details[RESCORE_KEY]["at"] for r in session.scalars(select(Result))}
    quality_jobs.recompute_project(session, crowd.project)
    again = {r.task_id: r.details[RESCORE_KEY]["at"] for r in session.scalars(select(Result))}
    assert again == first


def test_a_held_result_is_still_rescored_in_place(session: Session) -> None:
    crowd = seed_crowd(session, tasks=10)
    held = crowd.tasks[0]
    session.add(
        TaskGate(
            task_id=held.id,
            org_id=crowd.org.id,
            project_id=crowd.project.id,
            status="escalated",
            target=0.95,
        )
    )
    session.commit()
    report = quality_jobs.recompute_project(session, crowd.project)
    result = session.get_one(Result, held.id)
    assert report.results_updated == 1 and report.delivered_kept == 9
    assert result.method == "one_coin_calibrated" and RESCORE_KEY not in result.details


@pytest.mark.parametrize(
    ("state", "gate", "acknowledged", "delivered"),
    [
        ("complete", None, False, True),
        ("open", None, False, True),  # reopened by an exclusion: delivered until redone
        ("complete", "released", False, True),
        ("delivered", None, False, True),
        ("complete", "escalated", False, False),
        ("complete", "calibrating", False, False),
        ("open", "requeued", False, False),
        ("open", "buying", False, False),
        ("open", "buying", True, True),
    ],
)
def test_what_counts_as_delivered(
    session: Session, state: str, gate: str | None, acknowledged: bool, delivered: bool
) -> None:
    crowd = seed_crowd(session, tasks=1, gold=0, good=2)
    task = crowd.tasks[0]
    task.state = state
    result = session.get_one(Result, task.id)
    result.delivered_at = utcnow() if acknowledged else None
    assert is_delivered(task, result, gate) is delivered
