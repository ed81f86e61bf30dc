"""A project with two weeks of quality history, and an A/B experiment, for the page tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.domain.enums import Role
from assay.domain.quality_ops import ExperimentCreate
from assay.services import experiments, quality_jobs
from assay.services.accounts import create_account
from assay.services.actor import Actor
from assay.store import experiments as experiment_store
from assay.store.base import utcnow
from assay.store.models import Organisation, Response, Task
from tests.quality_ops.crowd import LABELS, seed_crowd
from tests.support.factories import (
    make_project,
    make_response,
    make_review,
    make_task,
    make_worker,
)

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Seeded:
    """What the page tests open."""

    email: str
    worker_email: str
    project_id: str
    spammer_id: str
    worker_id: str
    experiment_id: str


def seed_quality_history(session: Session) -> Seeded:
    """Spread a crowd's work over two weeks, recompute, and run an experiment on gold."""
    crowd = seed_crowd(session, tasks=60, gold=24, seed=11)
    rng = random.Random(5)
    now = utcnow()
    everything = session.scalars(select(Response).where(Response.project_id == crowd.project.id))
    # A task's responses share a day (so each day has tasks to measure agreement on), and the
    # hour keeps them inside it whatever the time of day the test runs at.
    day_of: dict[str, int] = {}
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for response in sorted(everything, key=lambda r: (r.task_id, r.id)):
        day = day_of.setdefault(response.task_id, 13 - len(day_of) % 14)
        hour = timedelta(hours=rng.randint(0, 20), minutes=rng.randint(0, 59))
        response.created_at = min(midnight - timedelta(days=day) + hour, now)
        if response.gold_correct is not None:
            continue
        if response.worker_id != crowd.spammer.id and rng.random() < 0.3:
            make_review(
                session,
                response,
                crowd.good[0],
                score=rng.choice([0.6, 0.8, 1.0]),
                created_at=response.created_at + timedelta(hours=1),
            )
    session.commit()
    lead = create_account(
        session,
        org_name=crowd.org.name,
        email=f"ops@{crowd.org.name}.test",
        password=PASSWORD,
        role="admin",
    )
    worker = create_account(
        session,
        org_name=crowd.org.name,
        email=f"ana@{crowd.org.name}.test",
        password=PASSWORD,
        role="worker",
        worker_handle="good-1",
    )
    quality_jobs.recompute_project(session, crowd.project)
    actor = Actor(org_id=crowd.org.id, role=Role.ADMIN, key_id=None)
    experiment_id = _experiment(session, actor, crowd.org, rng)
    assert lead.org_id == crowd.org.id and worker.worker_id is not None
    return Seeded(
        lead.email,
        worker.email,
        crowd.project.id,
        crowd.spammer.id,
        worker.worker_id,
        experiment_id,
    )


def _experiment(session: Session, actor: Actor, org: Organisation, rng: random.Random) -> str:
    """A pay experiment on gold: the better-paid variant is more careful and slower."""
    project = make_project(session, org, name="Sentiment A/B", redundancy=1, pay_per_task_cents=10)
    truth = {}
    for _ in range(120):
        label = rng.choice(LABELS)
        task = make_task(
            session, project, is_gold=True, gold_answer={"sentiment": label}, open_slots=0
        )
        truth[task.id] = label
    session.commit()
    spec = ExperimentCreate.model_validate(
        {
            "name": "Pay 15 cents instead of 10",
            "factor": "pay",
            "unit": "tasks",
            "variants": [
                {"name": "control", "is_control": True},
                {"name": "paid-more", "config": {"pay_per_task_cents": 15}},
            ],
        }
    )
    experiment = experiments.create_experiment(session, actor, project.id, spec)
    experiment.created_at = utcnow() - timedelta(days=8)
    variants = {v.id: v for v in experiment_store.list_variants(session, experiment.id)}
    workers = [make_worker(session, org, handle=f"ab-{i}") for i in range(6)]
    for task_id, label in truth.items():
        row = session.get(Task, task_id)
        assert row is not None and row.variant_id is not None
        careful = not variants[row.variant_id].is_control
        for worker in rng.sample(workers, 2):
            right = rng.random() < (0.9 if careful else 0.75)
            vote = label if right else rng.choice([x for x in LABELS if x != label])
            seconds = rng.randint(9000, 16000) if careful else rng.randint(5000, 9000)
            when = utcnow() - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 20))
            make_response(
                session,
                row,
                worker,
                {"sentiment": vote},
                gold_correct=right,
                active_time_ms=seconds,
                created_at=when,
                pay_cents=10,
                variant_id=row.variant_id,
            )
    session.commit()
    quality_jobs.recompute_project(session, project)
    return experiment.id
