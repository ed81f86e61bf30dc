from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from assay.services import jobs
from assay.store import Session, make_engine, make_session_factory
from assay.store.base import utcnow
from assay.store.models import Job
from assay.store.organisations import insert_organisation


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _org(factory) -> str:  # type: ignore[no-untyped-def]
    with factory() as session:
        org = insert_organisation(session, "acme")
        session.commit()
        return org.id


def test_a_job_runs_once_and_dedupe_keeps_one_pending(factory) -> None:  # type: ignore[no-untyped-def]
    seen: list[dict[str, Any]] = []
    jobs.register_handler("test.record", lambda _s, _o, payload: seen.append(payload))
    org_id = _org(factory)
    with factory() as session:
        first = jobs.enqueue_job(
            session, org_id=org_id, kind="test.record", payload={"n": 1}, dedupe_key="k"
        )
        second = jobs.enqueue_job(
            session, org_id=org_id, kind="test.record", payload={"n": 2}, dedupe_key="k"
        )
        session.commit()
    assert first is not None and second is None
    report = jobs.run_due_jobs(factory)
    assert report.done == [first] and seen == [{"n": 1}]
    assert jobs.run_due_jobs(factory).done == []
    with factory() as session:  # once done, the same key may be queued again
        assert jobs.enqueue_job(
            session, org_id=org_id, kind="test.record", payload={}, dedupe_key="k"
        )
        session.commit()


def test_failures_are_retried_with_backoff_then_marked_failed(factory) -> None:  # type: ignore[no-untyped-def]
    def explode(_session: Session, _org: str, _payload: dict[str, Any]) -> None:
        raise RuntimeError("model endpoint down")

    jobs.register_handler("test.explode", explode)
    org_id = _org(factory)
    with factory() as session:
        job_id = jobs.enqueue_job(
            session, org_id=org_id, kind="test.explode", payload={}, max_attempts=2
        )
        session.commit()
    rng = random.Random(0)
    assert jobs.run_due_jobs(factory, rng=rng).retried == [job_id]
    assert jobs.run_due_jobs(factory, rng=rng).retried == []  # backing off, not due yet
    later = utcnow() + timedelta(hours=1)
    assert jobs.run_due_jobs(factory, now=later, rng=rng).failed == [job_id]
    with factory() as session:
        job = session.get(Job, job_id)
        assert (
            job is not None and job.status == "failed" and "model endpoint down" in job.last_error
        )


def test_a_crashed_runners_lease_lapses_and_the_job_runs_again(factory) -> None:  # type: ignore[no-untyped-def]
    ran: list[str] = []
    jobs.register_handler("test.lease", lambda _s, _o, _p: ran.append("x"))
    org_id = _org(factory)
    with factory() as session:
        job_id = jobs.enqueue_job(session, org_id=org_id, kind="test.lease", payload={})
        session.commit()
    with factory() as session:  # a runner claims the job, then dies before running it
        from assay.store.jobs import claim_due_jobs

        claim_due_jobs(session, now=utcnow(), lease=jobs.LEASE, limit=5, kinds=["test.lease"])
        session.commit()
    assert jobs.run_due_jobs(factory).done == []
    assert jobs.run_due_jobs(factory, now=utcnow() + jobs.LEASE * 2).done == [job_id]
    assert ran == ["x"]
