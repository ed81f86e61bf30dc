from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import pytest

from assay.domain.project import ProjectCreate
from assay.domain.task import TaskImport
from assay.errors import LeaseExpired, NoTaskAvailable
from assay.services.actor import Actor
from assay.services.keys import authenticate, create_api_key
from assay.services.projects import create_project
from assay.services.submissions import submit_response
from assay.services.tasks import import_tasks, list_tasks
from assay.services.work import claim_next
from assay.store import SessionFactory, make_engine, make_session_factory
from assay.store.base import utcnow
from tests.support.api import sentiment_project, sentiment_tasks

WORKERS = 16
PROCESSES = 2
TASKS = 2_000
REDUNDANCY = 3
VOTES = ("pos", "neu", "neg")
# A worker stops after this many empty answers in a row ("queue busy" retries included).
EMPTY_ANSWERS_TO_STOP = 3


def _actor(factory: SessionFactory, role: str, name: str) -> Actor:
    with factory() as session:
        secret = create_api_key(session, org_name="acme", role=role, name=name).secret
        return authenticate(session, secret)


def _project(factory: SessionFactory, requester: Actor, tasks: int, **settings: object) -> str:
    with factory() as session:
        project = create_project(
            session, requester, ProjectCreate.model_validate(sentiment_project(**settings))
        )
        items = sentiment_tasks(tasks)
        for start in range(0, tasks, 1_000):
            spec = TaskImport.model_validate({"tasks": items[start : start + 1_000]})
            import_tasks(session, requester, project.id, spec)
        return project.id


def _work(
    factory: SessionFactory, worker: Actor, project_id: str, vote: str, answered: list[str]
) -> None:
    empty = 0
    with factory() as session:
        while empty < EMPTY_ANSWERS_TO_STOP:
            try:
                lease = claim_next(session, worker, project_id)
            except NoTaskAvailable:
                empty += 1
                time.sleep(0.01)
                continue
            empty = 0
            submission = submit_response(session, worker, lease.assignment.id, {"sentiment": vote})
            answered.append(submission.response.task_id)


def _work_in_threads(url: str, workers: list[Actor], project_id: str) -> list[list[str]]:
    """Run each worker in a thread with its own session; the task ids each one answered.

    The workers run concurrently inside a process: each thread claims and submits with its
    own session against the shared PostgreSQL database.
    """
    engine = make_engine(url, pool_size=len(workers) + 1)
    factory = make_session_factory(engine)
    answered: list[list[str]] = [[] for _ in workers]
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            vote = VOTES[index % len(VOTES)]
            _work(factory, workers[index], project_id, vote, answered[index])
        except BaseException as exc:  # re-raised below: a thread's error must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    if failures:
        raise failures[0]
    return answered


@pytest.fixture
def pg_factory(postgres_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(postgres_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.mark.slow
def test_sixteen_workers_fill_every_slot_exactly_once(
    pg_factory: SessionFactory, postgres_url: str
) -> None:
    requester = _actor(pg_factory, "requester", "requester")
    workers = [_actor(pg_factory, "worker", f"w{i}") for i in range(WORKERS)]
    project_id = _project(pg_factory, requester, TASKS, redundancy=REDUNDANCY)
    # A claim + submit costs ~10 ms of Python, and threads of one process share one interpreter
    # lock: the workers run as threads spread over processes, so every core does work.
    groups = [workers[i::PROCESSES] for i in range(PROCESSES)]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(PROCESSES, mp_context=spawn) as pool:
        futures = [pool.submit(_work_in_threads, postgres_url, g, project_id) for g in groups]
        answered = [tasks for future in futures for tasks in future.result()]
    per_task = Counter(task_id for tasks in answered for task_id in tasks)
    assert len(per_task) == TASKS
    assert set(per_task.values()) == {REDUNDANCY}
    for tasks in answered:  # no worker answered a task twice
        assert len(tasks) == len(set(tasks))
    assert sum(1 for tasks in answered if tasks) > WORKERS // 2  # the work was actually shared
    with pg_factory() as session:
        stored = list_tasks(
            session, requester, project_id, state=None, batch_id=None, after_id=None, limit=TASKS
        )
    assert len(stored) == TASKS
    assert {(t.state, t.response_count) for t in stored} == {("complete", REDUNDANCY)}


@pytest.fixture
def factory(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_an_expired_lease_goes_back_to_the_pool_but_not_to_the_same_worker(
    factory: SessionFactory,
) -> None:
    requester = _actor(factory, "requester", "requester")
    first, second = (_actor(factory, "worker", name) for name in ("first", "second"))
    project_id = _project(factory, requester, 1, redundancy=1, lease_seconds=60)
    start = utcnow()
    with factory() as session:
        lease = claim_next(session, first, project_id, now=start)
        with pytest.raises(NoTaskAvailable):  # the only slot is leased
            claim_next(session, second, project_id, now=start + timedelta(seconds=30))
        later = start + timedelta(seconds=61)
        with pytest.raises(NoTaskAvailable):  # expired, but never the same worker twice
            claim_next(session, first, project_id, now=later)
        again = claim_next(session, second, project_id, now=later)
        assert again.task.id == lease.task.id
        assert again.assignment.id != lease.assignment.id
        with pytest.raises(LeaseExpired):
            submit_response(session, first, lease.assignment.id, {"sentiment": "pos"})
        submitted = submit_response(session, second, again.assignment.id, {"sentiment": "neg"})
        assert submitted.response.task_id == lease.task.id
