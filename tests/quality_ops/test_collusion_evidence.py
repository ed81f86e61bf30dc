"""Collusion over storage: experts who agree because they are right are not a colluding pair."""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.services import quality_jobs
from assay.services.pair_signals import detect_collusion
from assay.services.quality_data import load_project_data
from assay.services.quality_scoring import score_workers
from assay.store.base import utcnow
from assay.store.models import Project, Task, Worker
from assay.store.models.quality_ops import QualitySignal
from tests.support.factories import (
    make_organisation,
    make_project,
    make_response,
    make_task,
    make_worker,
)

LABELS = ["pos", "neu", "neg"]
CONFUSED_WITH = {"pos": "neu", "neu": "neg", "neg": "pos"}


class Crowd:
    """A weak crowd that errs alike on hard tasks, three experts from one office, and a pair
    who copy each other from one device."""

    def __init__(self, session: Session, seed: int) -> None:
        self.session = session
        self.rng = random.Random(seed)
        org = make_organisation(session)
        self.project = make_project(session, org, redundancy=5)
        self.regular = [make_worker(session, org, handle=f"regular-{i}") for i in range(8)]
        self.experts = [make_worker(session, org, handle=f"expert-{i}") for i in range(3)]
        self.pair = [make_worker(session, org, handle=f"copier-{i}") for i in range(2)]
        self.moment = utcnow() - timedelta(hours=5)

    def give(self, task: Task, worker: Worker, label: str, where: str, gold: str | None) -> None:
        self.moment += timedelta(seconds=5)
        make_response(
            self.session,
            task,
            worker,
            {"sentiment": label},
            telemetry={"ip_prefix": where},
            gold_correct=None if gold is None else label == gold,
            created_at=self.moment,
        )

    def regular_answer(self, truth: str, hard: bool) -> str:
        # On a hard task most of the crowd falls for the same wrong option.
        if hard:
            return CONFUSED_WITH[truth] if self.rng.random() < 0.7 else truth
        return truth if self.rng.random() < 0.85 else self.rng.choice(LABELS)

    def task(self, gold: bool) -> None:
        truth = self.rng.choice(LABELS)
        hard = self.rng.random() < 0.3  # gold is drawn like the rest: hard ones too
        task = make_task(
            self.session,
            self.project,
            open_slots=0,
            is_gold=gold,
            gold_answer={"sentiment": truth} if gold else None,
        )
        known = truth if gold else None
        for worker in self.rng.sample(self.regular, 3):
            self.give(task, worker, self.regular_answer(truth, hard), f"home-{worker.id}", known)
        for worker in self.experts:
            right = self.rng.random() < 0.95
            label = truth if right else self.rng.choice([x for x in LABELS if x != truth])
            self.give(task, worker, label, "office-net", known)
        if self.rng.random() < 0.5:
            copied = self.regular_answer(truth, hard)
            for worker in self.pair:
                self.give(task, worker, copied, "one-laptop", known)


def _flagged_pairs(session: Session, project: Project, kind: str) -> set[frozenset[str]]:
    rows = session.scalars(
        select(QualitySignal).where(
            QualitySignal.project_id == project.id,
            QualitySignal.kind == kind,
            QualitySignal.flagged.is_(True),
        )
    ).all()
    return {frozenset((str(r.worker_id), str(r.other_worker_id))) for r in rows}


def test_experts_right_together_are_cleared_and_copiers_are_caught(session: Session) -> None:
    crowd = Crowd(session, seed=0)
    for n in range(160):
        crowd.task(gold=n % 8 == 0)
    session.commit()
    expert_pairs = {frozenset(pair) for pair in combinations([w.id for w in crowd.experts], 2)}
    copiers = frozenset(w.id for w in crowd.pair)

    # The experts agree on nearly every task, against the crowd on the hard ones, where
    # leaving the pair out leaves a wrong majority: the agreement test alone calls every
    # expert pair colluding. Truth inference, anchored on gold and hearing all three experts,
    # finds their shared answers right: no pair shares mistakes, and each is cleared.
    data = load_project_data(session, crowd.project)
    drafts = detect_collusion(data, score_workers(session, data, 0.7))
    agreement = {
        frozenset((str(d.worker_id), str(d.other_worker_id))): d
        for d in drafts
        if d.kind == "identical_sequences"
    }
    for pair in expert_pairs:
        assert agreement[pair].evidence["cleared_by_truth"] is True
        assert not agreement[pair].flagged
    session.rollback()

    quality_jobs.recompute_project(session, crowd.project)

    # They also share an office network, which alone is not collusion.
    assert expert_pairs <= _flagged_pairs(session, crowd.project, "shared_devices")
    assert not expert_pairs & _flagged_pairs(session, crowd.project, "identical_sequences")
    assert _flagged_pairs(session, crowd.project, "collusion") == {copiers}
    caught = session.scalar(
        select(QualitySignal).where(
            QualitySignal.kind == "identical_sequences",
            QualitySignal.subject_id == "+".join(sorted(copiers)),
        )
    )
    assert caught is not None and caught.flagged
    assert caught.evidence["shared_errors"] > 3 * caught.evidence["expected_shared_errors"]
