"""The spammer detector over storage judges a worker only on truth that others or gold fixed."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.services import quality_jobs
from assay.store.base import utcnow
from assay.store.models import Project, Task, Worker
from assay.store.models.quality_ops import QualityAction, QualitySignal
from tests.support.factories import (
    make_organisation,
    make_project,
    make_response,
    make_task,
    make_worker,
)

LABELS = ["pos", "neu", "neg"]


class Answers:
    """Writes responses in time order, the way workers would have submitted them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.moment = utcnow() - timedelta(hours=3)

    def give(self, task: Task, worker: Worker, label: str) -> None:
        self.moment += timedelta(seconds=5)
        make_response(self.session, task, worker, {"sentiment": label}, created_at=self.moment)


def _careful(rng: random.Random, truth: str) -> str:
    return truth if rng.random() < 0.9 else rng.choice([x for x in LABELS if x != truth])


def _spammer_signal(session: Session, worker: Worker) -> QualitySignal:
    signal = session.scalar(
        select(QualitySignal).where(
            QualitySignal.kind == "spammer", QualitySignal.worker_id == worker.id
        )
    )
    assert signal is not None
    return signal


def _flagged_spammers(session: Session, project: Project) -> set[str]:
    rows = session.scalars(
        select(QualitySignal.worker_id).where(
            QualitySignal.project_id == project.id,
            QualitySignal.kind == "spammer",
            QualitySignal.flagged.is_(True),
        )
    ).all()
    return {str(r) for r in rows}


@pytest.mark.parametrize("constant", [False, True], ids=["cycling", "constant"])
def test_a_lone_worker_on_redundancy_one_tasks_without_gold_is_not_a_spammer(
    session: Session, constant: bool
) -> None:
    # The worker loop benchmark's shape: one worker, every task answered once, no gold.
    # Nothing their answers could be compared with: not even always the same answer condemns.
    org = make_organisation(session)
    project = make_project(session, org, redundancy=1)
    worker = make_worker(session, org, handle="alone")
    answers = Answers(session)
    for n in range(120):
        task = make_task(session, project, redundancy=1, open_slots=0)
        answers.give(task, worker, LABELS[0 if constant else n % 3])
    session.commit()

    quality_jobs.recompute_project(session, project)

    signal = _spammer_signal(session, worker)
    assert not signal.flagged and signal.score == 0.0
    assert signal.evidence["pattern"] == "unjudged"
    assert signal.evidence["items"] == 120
    # zero up to rounding: truth inference computes in floating point
    assert signal.evidence["determined_items"] == pytest.approx(0, abs=1e-9)
    session.refresh(worker)
    assert worker.status == "active"
    paused = session.scalars(
        select(QualityAction).where(
            QualityAction.target_id == worker.id, QualityAction.kind == "pause_worker"
        )
    ).all()
    assert paused == []


def test_random_and_constant_spammers_among_careful_workers_are_flagged(
    session: Session,
) -> None:
    rng = random.Random(11)
    org = make_organisation(session)
    project = make_project(session, org, redundancy=3)
    careful = [make_worker(session, org, handle=f"careful-{i}") for i in range(4)]
    clicker = make_worker(session, org, handle="clicker")
    constant = make_worker(session, org, handle="constant")
    answers = Answers(session)
    for _ in range(90):
        truth = rng.choice(LABELS)
        task = make_task(session, project, open_slots=0)
        for worker in rng.sample(careful, 2):
            answers.give(task, worker, _careful(rng, truth))
        spammer = clicker if rng.random() < 0.5 else constant
        answers.give(task, spammer, rng.choice(LABELS) if spammer is clicker else "neu")
    session.commit()

    quality_jobs.recompute_project(session, project)

    assert _flagged_spammers(session, project) == {clicker.id, constant.id}
    assert _spammer_signal(session, clicker).evidence["pattern"] == "random"
    assert _spammer_signal(session, constant).evidence["pattern"] == "constant"
    for worker in careful:
        signal = _spammer_signal(session, worker)
        assert float(signal.evidence["determined_items"]) >= 20  # judged, and cleared
        assert signal.evidence["pattern"] == "skilled"


def test_a_constant_answerer_waits_until_enough_tasks_overlap_with_others(
    session: Session,
) -> None:
    rng = random.Random(5)
    org = make_organisation(session)
    project = make_project(session, org, redundancy=3)
    careful = [make_worker(session, org, handle=f"careful-{i}") for i in range(3)]
    constant = make_worker(session, org, handle="constant")
    answers = Answers(session)

    def shared_task() -> None:
        truth = rng.choice(LABELS)
        task = make_task(session, project, open_slots=0)
        for worker in rng.sample(careful, 2):
            answers.give(task, worker, _careful(rng, truth))
        answers.give(task, constant, "neg")

    for _ in range(40):  # the careful workers' own tasks, so they are judged too
        truth = rng.choice(LABELS)
        task = make_task(session, project, open_slots=0)
        for worker in rng.sample(careful, 2):
            answers.give(task, worker, _careful(rng, truth))
    for _ in range(100):  # answered by the constant worker alone
        answers.give(make_task(session, project, redundancy=1, open_slots=0), constant, "neg")
    for _ in range(8):
        shared_task()
    session.commit()

    quality_jobs.recompute_project(session, project)

    early = _spammer_signal(session, constant)
    # 108 answers, but only 8 tasks' truth known without them: fewer than the 20 needed.
    assert early.evidence["items"] == 108
    assert float(early.evidence["determined_items"]) < 20
    assert not early.flagged

    for _ in range(30):
        shared_task()
    session.commit()
    quality_jobs.recompute_project(session, project)

    late = _spammer_signal(session, constant)
    assert float(late.evidence["determined_items"]) >= 20
    assert late.flagged and late.evidence["pattern"] == "constant"
    assert _flagged_spammers(session, project) == {constant.id}
