"""A small seeded crowd for quality-operations tests: good workers, a spammer, gold, results."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.store.base import utcnow
from assay.store.models import Organisation, Project, Response, Task, Worker
from tests.support.factories import (
    make_organisation,
    make_project,
    make_response,
    make_result,
    make_task,
    make_worker,
)

LABELS = ["pos", "neu", "neg"]


@dataclass
class Crowd:
    """What ``seed_crowd`` made."""

    org: Organisation
    project: Project
    good: list[Worker]
    spammer: Worker
    tasks: list[Task]
    gold: list[Task]
    truth: dict[str, str]
    responses: dict[str, list[Response]] = field(default_factory=dict)


def _vote(rng: random.Random, truth: str, accuracy: float) -> str:
    return truth if rng.random() < accuracy else rng.choice([x for x in LABELS if x != truth])


def seed_crowd(
    session: Session,
    *,
    tasks: int = 40,
    gold: int = 10,
    good: int = 5,
    seed: int = 7,
    complete: bool = True,
    **project: Any,
) -> Crowd:
    """A project whose tasks each got two good answers and one from a random-clicking spammer."""
    rng = random.Random(seed)
    org = make_organisation(session)
    proj = make_project(session, org, redundancy=3, time_estimate_seconds=20, **project)
    workers = [make_worker(session, org, handle=f"good-{i}") for i in range(good)]
    spammer = make_worker(session, org, handle="spammer")
    crowd = Crowd(org, proj, workers, spammer, [], [], {})
    start = utcnow() - timedelta(hours=2)
    moment = 0
    for _ in range(gold):
        truth = rng.choice(LABELS)
        task = make_task(
            session, proj, is_gold=True, gold_answer={"sentiment": truth}, open_slots=0
        )
        crowd.gold.append(task)
        crowd.truth[task.id] = truth
        for worker in [*workers, spammer]:
            accurate = worker is not spammer
            vote = _vote(rng, truth, 0.9) if accurate else rng.choice(LABELS)
            moment += 1
            make_response(
                session,
                task,
                worker,
                {"sentiment": vote},
                gold_correct=vote == truth,
                active_time_ms=rng.randint(8000, 20000) if accurate else 900,
                created_at=start + timedelta(seconds=moment),
            )
    for _ in range(tasks):
        truth = rng.choice(LABELS)
        task = make_task(session, proj)
        crowd.tasks.append(task)
        crowd.truth[task.id] = truth
        answered = []
        for worker in [*rng.sample(workers, 2), spammer]:
            accurate = worker is not spammer
            vote = _vote(rng, truth, 0.9) if accurate else rng.choice(LABELS)
            moment += 1
            answered.append(
                make_response(
                    session,
                    task,
                    worker,
                    {"sentiment": vote},
                    active_time_ms=rng.randint(8000, 20000) if accurate else 900,
                    created_at=start + timedelta(seconds=moment),
                )
            )
        crowd.responses[task.id] = answered
        task.open_slots = 0
        if complete:
            make_result(session, task, answered)
    session.flush()
    return crowd
