"""The recompute next to live work: it holds no write lock while it reads and fits.

Each test does something at a precise moment of a recompute: as it reads the project's
responses, before it fits a model or writes anything. On SQLite, a recompute holding the
write lock then would keep that work waiting for seconds (and then fail it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from assay.domain.project import ProjectCreate
from assay.domain.task import TaskImport
from assay.services import delivery_gate, quality_jobs
from assay.services.actor import Actor
from assay.services.delivered_results import RESCORE_KEY
from assay.services.jobs import run_due_jobs
from assay.services.keys import authenticate, create_api_key
from assay.services.projects import create_project
from assay.services.submissions import submit_response
from assay.services.tasks import import_tasks
from assay.services.work import claim_next
from assay.store import SessionFactory, make_engine, make_session_factory
from assay.store import quality_ops as quality_store
from assay.store.base import utcnow
from assay.store.models import Job, Project, Response, Result, Task
from assay.store.models.quality_ops import TaskGate
from tests.quality_ops.crowd import LABELS, seed_crowd
from tests.support.api import sentiment_project, sentiment_tasks
from tests.support.factories import make_response

# A submit waiting on a held SQLite write lock waits 10 s for it (then SQLite's own 30 s).
NOT_HELD_UP_SECONDS = 5.0


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@contextmanager
def as_the_responses_are_read(engine: Engine, action: Callable[[], None]) -> Iterator[None]:
    """Run ``action`` once, right after the first statement that reads the responses.

    In a recompute that is the statement loading the project's work, before any model is
    fitted or anything written; whatever transaction it ran in is still open.
    """
    done: list[bool] = []

    def read(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "FROM responses" in statement and not done:
            done.append(True)
            action()

    event.listen(engine, "after_cursor_execute", read)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", read)
    assert done, "nothing read the responses"


def _actor(factory: SessionFactory, role: str, name: str = "") -> Actor:
    with factory() as session:
        secret = create_api_key(session, org_name="acme", role=role, name=name).secret
        return authenticate(session, secret)


def _work_once(factory: SessionFactory, worker: Actor, project_id: str) -> None:
    """Claim the next task and submit an answer, as the worker loop does."""
    with factory() as session:
        lease = claim_next(session, worker, project_id)
        submit_response(session, worker, lease.assignment.id, {"sentiment": "pos"})


def _recompute(factory: SessionFactory, project_id: str) -> quality_jobs.RecomputeReport:
    with factory() as session:
        project = session.get_one(Project, project_id)
        return quality_jobs.recompute_project(session, project)


def test_a_submit_while_the_recompute_computes_is_not_held_up_and_the_next_run_has_it(
    engine: Engine,
) -> None:
    factory = make_session_factory(engine)
    requester = _actor(factory, "requester")
    workers = [_actor(factory, "worker", f"expert-{i}") for i in range(2)]
    with factory() as session:
        body = ProjectCreate.model_validate(sentiment_project(redundancy=1))
        project_id = create_project(session, requester, body).id
        spec = TaskImport.model_validate({"tasks": sentiment_tasks(8)})
        import_tasks(session, requester, project_id, spec)
    for index in range(3):
        _work_once(factory, workers[index % 2], project_id)
    waited: list[float] = []

    def submit() -> None:
        start = time.perf_counter()
        _work_once(factory, workers[1], project_id)
        waited.append(time.perf_counter() - start)

    with as_the_responses_are_read(engine, submit):
        first = _recompute(factory, project_id)
    assert waited and waited[0] < NOT_HELD_UP_SECONDS
    assert first.responses == 3 and first.delivered_kept == 3  # read before the submit
    second = _recompute(factory, project_id)
    assert second.responses == 4 and second.delivered_kept == 4
    with factory() as session:
        results = session.scalars(select(Result).where(Result.project_id == project_id)).all()
        assert len(results) == 4 and all(RESCORE_KEY in r.details for r in results)


def test_each_result_is_written_from_the_state_its_task_has_when_written(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with factory() as session:
        crowd = seed_crowd(session, tasks=12, gold=0, quality_target=0.9)
        quality_store.save_policy(
            session,
            org_id=crowd.org.id,
            project_id=crowd.project.id,
            rules=[],
            settings={"automatic_actions": False},
            actor="test",
        )
        held, delivered, released = crowd.tasks[:3]
        for task in (held, released):
            session.add(
                TaskGate(
                    task_id=task.id,
                    org_id=crowd.org.id,
                    project_id=crowd.project.id,
                    status="escalated",
                    target=0.9,
                )
            )
        session.commit()
        delivered_answer = session.get_one(Result, delivered.id).answer["sentiment"]
        other = next(label for label in LABELS if label != delivered_answer)
    added: dict[str, list[str]] = {}

    def meanwhile() -> None:
        with factory() as session:
            for task, votes in ((held, ["neu"]), (delivered, [other] * 3)):
                row = session.get_one(Task, task.id)
                answered = {r.worker_id for r in crowd.responses[task.id]}
                fresh = [w for w in crowd.good if w.id not in answered][: len(votes)]
                added[task.id] = [
                    make_response(session, row, worker, {"sentiment": vote}).id
                    for worker, vote in zip(fresh, votes, strict=True)
                ]
            delivery_gate.release_held_task(
                session,
                session.get_one(Project, crowd.project.id),
                session.get_one(Task, released.id),
                actor="account:lead",
                reason="checked by hand",
                answer={"sentiment": "neg"},
            )
            session.commit()

    with as_the_responses_are_read(engine, meanwhile):
        _recompute(factory, crowd.project.id)
    with factory() as session:
        # Held: rewritten from every response it has now, the one added meanwhile too.
        accepted = session.scalars(
            select(Response.id).where(Response.task_id == held.id, Response.status == "accepted")
        ).all()
        rewritten = session.get_one(Result, held.id)
        assert set(added[held.id]) <= set(rewritten.response_ids) == set(accepted)
        assert rewritten.method == "one_coin_calibrated"
        # Delivered: answer kept; its re-score counts the three answers added meanwhile.
        kept = session.get_one(Result, delivered.id)
        assert kept.answer["sentiment"] == delivered_answer
        assert kept.details[RESCORE_KEY]["answer"] == {"sentiment": other}
        assert kept.details[RESCORE_KEY]["differs"] is True
        # Released by a person meanwhile: their answer stands, the re-score goes beside it.
        decided = session.get_one(Result, released.id)
        assert decided.answer["sentiment"] == "neg" and decided.method == "expert_decision"
        assert RESCORE_KEY in decided.details


def test_a_run_queued_during_a_recompute_waits_until_well_after_it(engine: Engine) -> None:
    factory = make_session_factory(engine)
    quality_jobs.install_quality_jobs()
    with factory() as session:
        crowd = seed_crowd(session, tasks=10, gold=0)
        quality_jobs.schedule_recompute(session, crowd.project)
        session.commit()
        project_id, org_id = crowd.project.id, crowd.org.id

    def submitted() -> None:  # what a submit does, due at once
        with factory() as session:
            quality_store.enqueue_job_once(
                session,
                org_id=org_id,
                kind=quality_jobs.JOB_KIND,
                payload={"project_id": project_id},
                dedupe_key=f"{quality_jobs.JOB_KIND}:{project_id}",
                run_after=utcnow(),
            )
            session.commit()

    with as_the_responses_are_read(engine, submitted):
        report = run_due_jobs(factory, now=utcnow() + timedelta(seconds=60))
    assert len(report.done) == 1
    with factory() as session:
        kinds = select(Job).where(Job.kind == quality_jobs.JOB_KIND)
        done = session.scalars(kinds.where(Job.status == "done")).one()
        pending = session.scalars(kinds.where(Job.status == "pending")).one()
        assert done.finished_at is not None and pending.run_after > done.finished_at
