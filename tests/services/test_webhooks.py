from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from assay.config import Settings
from assay.domain.enums import Role
from assay.services import deliveries, webhooks
from assay.services.actor import Actor
from assay.store import SessionFactory, make_engine, make_session_factory
from assay.store.base import utcnow
from assay.store.deliveries import claim_due_deliveries
from assay.store.models import Result, Task, WebhookDelivery
from tests.support.factories import (
    make_completed_task,
    make_organisation,
    make_project,
    make_response,
    make_task,
    make_worker,
)
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver


@dataclass
class Outbox:
    """A project whose completed tasks have result webhooks waiting in the outbox."""

    factory: SessionFactory
    org_id: str
    project_id: str
    secret: str
    task_ids: list[str]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:
        yield client


def seed(database_url: str, url: str | None, tasks: int = 1) -> Outbox:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        org = make_organisation(session)
        workers = [make_worker(session, org) for _ in range(2)]
        project = make_project(session, org, callback_url=url)
        task_ids = []
        for _ in range(tasks):
            task = make_completed_task(session, project, workers)
            webhooks.enqueue_result_delivery(session, project, task.id)
            task_ids.append(task.id)
        session.commit()
        return Outbox(factory, org.id, project.id, project.webhook_secret, task_ids)


@pytest.fixture
def outbox(database_url: str, receiver: WebhookReceiver) -> Iterator[Outbox]:
    seeded = seed(database_url, receiver.url)
    yield seeded
    seeded.factory.kw["bind"].dispose()


def delivery_rows(outbox: Outbox) -> list[WebhookDelivery]:
    with outbox.factory() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_delivery_is_signed_and_acknowledged(
    outbox: Outbox, receiver: WebhookReceiver, http: httpx.Client
) -> None:
    report = webhooks.dispatch_due(outbox.factory, http)
    assert (report.claimed, report.delivered) == (1, 1)

    [request] = receiver.requests
    [row] = delivery_rows(outbox)
    assert request.path == "/hooks/assay"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-assay-event"] == "task.result"
    assert request.headers["x-assay-delivery"] == row.id
    signature = request.headers["x-assay-signature"]
    assert webhooks.verify_signature(outbox.secret, signature, request.body)
    assert not webhooks.verify_signature("wrong", signature, request.body)
    assert not webhooks.verify_signature(outbox.secret, signature, request.body + b" ")

    body = json.loads(request.body)
    assert body["id"] == row.id and body["event"] == "task.result"
    task = body["task"]
    assert task["task_id"] == outbox.task_ids[0]
    assert task["result"]["method"] == "majority_vote" and task["result"]["method_version"] == "1"
    assert [r["guideline_version"] for r in task["responses"]] == [1, 1]
    assert all(r["active_time_ms"] == 12_000 for r in task["responses"])

    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert row.delivered_at is not None and row.locked_until is None
    with outbox.factory() as session:
        result = session.scalar(select(Result).where(Result.task_id == outbox.task_ids[0]))
        state = session.scalar(select(Task.state).where(Task.id == outbox.task_ids[0]))
    assert result is not None and result.delivered_at is not None
    assert state == "delivered"
    assert webhooks.dispatch_due(outbox.factory, http).claimed == 0


def test_enqueue_is_part_of_the_callers_transaction(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        org = make_organisation(session)
        worker = make_worker(session, org)
        hooked = make_project(session, org, callback_url="http://127.0.0.1:9/hook")
        silent = make_project(session, org)
        hooked_task = make_completed_task(session, hooked, [worker])
        silent_task = make_completed_task(session, silent, [worker])
        session.commit()
        webhooks.enqueue_result_delivery(session, hooked, hooked_task.id)
        session.rollback()
        webhooks.enqueue_result_delivery(session, silent, silent_task.id)
        session.commit()
        assert session.scalars(select(WebhookDelivery)).all() == []
    engine.dispose()


def test_enqueue_sees_the_unflushed_result_of_its_transaction(database_url: str) -> None:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        org = make_organisation(session)
        worker = make_worker(session, org)
        project = make_project(session, org, callback_url="http://127.0.0.1:9/hook")
        task = make_task(session, project)
        response = make_response(session, task, worker)
        # As the completing service does: add the result, then enqueue, then commit once.
        session.add(
            Result(
                task_id=task.id,
                org_id=org.id,
                project_id=project.id,
                answer={"sentiment": "pos"},
                method="majority_vote",
                method_version="1",
                response_ids=[response.id],
            )
        )
        webhooks.enqueue_result_delivery(session, project, task.id)
        session.commit()
        [row] = session.scalars(select(WebhookDelivery)).all()
        assert row.payload["task"]["result"]["response_ids"] == [response.id]
        assert row.payload["task"]["responses"][0]["id"] == response.id
        assert row.payload["project_id"] == project.id and row.task_id == task.id
    engine.dispose()


def test_failures_back_off_then_deliver(
    outbox: Outbox, receiver: WebhookReceiver, http: httpx.Client
) -> None:
    receiver.fail_next(2, status=500)
    now = utcnow()
    rng = random.Random(7)
    report = webhooks.dispatch_due(outbox.factory, http, now=now, rng=rng)
    assert (report.claimed, report.retrying) == (1, 1)
    [row] = delivery_rows(outbox)
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert row.last_error.startswith("HTTP 500")
    assert now + timedelta(seconds=5) <= row.next_attempt_at <= now + timedelta(seconds=10)

    early = row.next_attempt_at - timedelta(seconds=1)
    assert webhooks.dispatch_due(outbox.factory, http, now=early).claimed == 0

    second = webhooks.dispatch_due(outbox.factory, http, now=row.next_attempt_at, rng=rng)
    assert second.retrying == 1
    [after] = delivery_rows(outbox)
    waited = after.next_attempt_at - row.next_attempt_at
    assert timedelta(seconds=10) <= waited <= timedelta(seconds=20)

    third = webhooks.dispatch_due(outbox.factory, http, now=after.next_attempt_at)
    assert third.delivered == 1
    assert [r.status for r in receiver.requests] == [500, 500, 200]
    assert len({r.headers["x-assay-delivery"] for r in receiver.requests}) == 1
    assert delivery_rows(outbox)[0].attempts == 3


def test_timeouts_are_retried(outbox: Outbox, receiver: WebhookReceiver) -> None:
    receiver.stall_next(1, seconds=1.0)
    with httpx.Client(timeout=0.2) as impatient:
        report = webhooks.dispatch_due(outbox.factory, impatient)
        assert report.retrying == 1
        [row] = delivery_rows(outbox)
        assert row.last_status_code is None and "Timeout" in row.last_error
        later = webhooks.dispatch_due(outbox.factory, impatient, now=row.next_attempt_at)
    assert later.delivered == 1


def test_an_unusable_url_is_a_failed_attempt(database_url: str, http: httpx.Client) -> None:
    seeded = seed(database_url, "gopher://127.0.0.1:9/hook")
    assert webhooks.dispatch_due(seeded.factory, http).retrying == 1
    [row] = delivery_rows(seeded)
    assert row.attempts == 1 and "UnsupportedProtocol" in row.last_error
    seeded.factory.kw["bind"].dispose()


def test_dead_after_max_attempts_then_manual_retry(
    outbox: Outbox, receiver: WebhookReceiver, http: httpx.Client
) -> None:
    receiver.fail_next(3, status=503)
    now = utcnow()
    for _ in range(3):
        webhooks.dispatch_due(outbox.factory, http, now=now, max_attempts=3)
        now = delivery_rows(outbox)[0].next_attempt_at
    [row] = delivery_rows(outbox)
    assert (row.status, row.attempts) == ("dead", 3)
    far = utcnow() + timedelta(days=30)
    assert webhooks.dispatch_due(outbox.factory, http, now=far).claimed == 0

    requester = Actor(org_id=outbox.org_id, role=Role.REQUESTER, key_id="k")
    with outbox.factory() as session:
        view = deliveries.retry_delivery(session, requester, row.id)
    assert (view.status, view.attempts) == ("pending", 0)
    assert webhooks.dispatch_due(outbox.factory, http, max_attempts=3).delivered == 1
    assert len(receiver.requests) == 4


def test_pending_deliveries_survive_a_restart(database_url: str, receiver: WebhookReceiver) -> None:
    seeded = seed(database_url, receiver.url, tasks=3)
    # A dispatcher claimed one delivery and died before sending it; then the server stopped.
    with seeded.factory() as session:
        lease = utcnow() + timedelta(seconds=0.5)
        [crashed] = claim_due_deliveries(session, now=utcnow(), locked_until=lease, limit=1)
        session.commit()
    seeded.factory.kw["bind"].dispose()

    engine = make_engine(database_url)
    settings = Settings(database_url=database_url, webhook_timeout_seconds=5)
    dispatcher = webhooks.start_dispatcher(settings, make_session_factory(engine))
    try:
        deadline = time.monotonic() + 15
        while len(receiver.delivery_ids()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        dispatcher.stop()
        engine.dispose()
    assert not dispatcher.running
    assert sorted(receiver.delivery_ids()) == sorted(r.id for r in delivery_rows(seeded))
    assert crashed.id in receiver.delivery_ids()
    assert {r.status for r in delivery_rows(seeded)} == {"delivered"}
    seeded.factory.kw["bind"].dispose()


def test_two_dispatchers_never_send_the_same_delivery_twice(
    database_url: str, receiver: WebhookReceiver
) -> None:
    seeded = seed(database_url, receiver.url, tasks=40)
    receiver.delay_seconds = 0.005
    reports: list[webhooks.DispatchReport] = []

    def run(now: datetime | None = None) -> None:
        # Like the real dispatcher, poll until a pass finds nothing: a pass may skip rows the
        # other dispatcher holds locked at that moment.
        engine = make_engine(database_url)
        with httpx.Client(timeout=5.0) as client:
            for _ in range(20):
                report = webhooks.dispatch_due(make_session_factory(engine), client, now=now)
                reports.append(report)
                if report.claimed == 0:
                    break
        engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A last sweep once both have stopped, late enough that a send that failed on a loaded
    # machine (and was put off with backoff) is due again: each delivery still goes out once.
    run(now=utcnow() + timedelta(hours=1))
    sent = receiver.delivery_ids()
    assert len(sent) == len(set(sent)) == 40
    assert sum(r.delivered for r in reports) == 40
    # Which dispatcher takes how much depends on thread scheduling; what must hold is that
    # together they sent each delivery exactly once.
    assert {r.status for r in delivery_rows(seeded)} == {"delivered"}
    seeded.factory.kw["bind"].dispose()


def test_a_slow_receiver_does_not_hold_up_the_others(
    database_url: str, receiver: WebhookReceiver, http: httpx.Client
) -> None:
    seeded = seed(database_url, receiver.url, tasks=4)
    receiver.delay_seconds = 0.3
    assert webhooks.dispatch_due(seeded.factory, http).delivered == 4
    assert receiver.max_in_flight > 1
    seeded.factory.kw["bind"].dispose()


@pytest.mark.postgres
def test_concurrent_claims_skip_locked_rows(postgres_url: str) -> None:
    seeded = seed(postgres_url, "http://127.0.0.1:9/hook", tasks=6)
    first, second = seeded.factory(), seeded.factory()
    now = utcnow()
    lease = now + timedelta(minutes=2)
    try:
        mine = claim_due_deliveries(first, now=now, locked_until=lease, limit=4)
        # The first claim is not committed: its rows are locked, not yet stamped.
        theirs = claim_due_deliveries(second, now=now, locked_until=lease, limit=100)
        assert len(mine) == 4 and len(theirs) == 2
        assert not {d.id for d in mine} & {d.id for d in theirs}
    finally:
        first.close()
        second.close()
        seeded.factory.kw["bind"].dispose()


def test_verify_signature_rejects_stale_and_malformed_headers() -> None:
    body = b'{"id":"dlv_1"}'
    header = webhooks.sign("s", 1_000_000, body)
    assert webhooks.verify_signature("s", header, body, now=1_000_000 + 299)
    assert not webhooks.verify_signature("s", header, body, now=1_000_000 + 301)
    assert webhooks.verify_signature("s", header, body, tolerance=1000, now=1_000_000 + 900)
    for broken in ("", "t=abc,v1=00", "v1=" + header.split("v1=")[1], "t=1000000"):
        assert not webhooks.verify_signature("s", broken, body, now=1_000_000)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(3)
    for attempts in range(1, 15):
        ceiling = min(10 * 2 ** (attempts - 1), 3600)
        delays = [webhooks.backoff_seconds(attempts, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > 0
