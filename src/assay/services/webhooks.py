"""Result webhooks from a durable outbox: enqueue with the result, sign, send, retry, give up.

A delivery row is written in the same transaction that completes a task, so a crash or restart
cannot lose it. :func:`dispatch_due` leases due rows (see ``store/deliveries.py``), POSTs each
outside any transaction, and records the outcome: a 2xx acknowledges; anything else (an error
status, a timeout, a refused connection, a redirect) is retried with exponential backoff and
jitter until ``max_attempts``, after which the delivery is dead (a person can retry it).

Receivers check ``X-Assay-Signature: t=<unix seconds>,v1=<hex>`` where the hex is
HMAC-SHA256 of ``f"{t}.{body}"`` under the project's webhook secret (:func:`verify_signature`),
and dedupe on ``X-Assay-Delivery``: a delivery may arrive more than once (at-least-once).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import orjson

from assay import __version__
from assay.config import Settings
from assay.errors import NotFound
from assay.services.documents import build_task_documents, to_json_value
from assay.store import Session, SessionFactory
from assay.store import deliveries as store
from assay.store.base import utcnow
from assay.store.documents import get_task_record
from assay.store.models import Project

log = logging.getLogger(__name__)

RESULT_EVENT = "task.result"
SIGNATURE_HEADER = "X-Assay-Signature"
EVENT_HEADER = "X-Assay-Event"
DELIVERY_HEADER = "X-Assay-Delivery"
BACKOFF_BASE_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 3600.0
DEFAULT_MAX_ATTEMPTS = 12
CLAIM_SIZE = 10
_ERROR_SNIPPET = 500
_JITTER = random.Random()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Compute the signature header value for ``body`` sent at ``timestamp``."""
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str, header: str, body: bytes, tolerance: float = 300.0, *, now: float | None = None
) -> bool:
    """Check a webhook's ``X-Assay-Signature`` header, as a receiver should.

    Args:
        secret: the project's webhook secret.
        header: the header's value, ``t=<unix seconds>,v1=<hex>``.
        body: the raw request body, byte for byte (not re-serialised JSON).
        tolerance: how many seconds ``t`` may differ from now (limits replays).
        now: the current unix time (defaults to the clock).

    Returns:
        True when the signature matches and the timestamp is fresh.

    Example:
        >>> header = sign("s3cret", 1_700_000_000, b'{"id":"dlv_1"}')
        >>> verify_signature("s3cret", header, b'{"id":"dlv_1"}', now=1_700_000_010)
        True

    """
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or not signature:
        return False
    clock = time.time() if now is None else now
    if abs(clock - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, int(timestamp), body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, signature)


def backoff_seconds(attempts: int, rng: random.Random | None = None) -> float:
    """How long to wait after the ``attempts``-th failure: 10 s x 2^(n-1), capped at an hour.

    "Equal jitter": half the delay is fixed, half random, so retries of many deliveries that
    failed together (a receiver outage) spread out instead of arriving in waves.
    """
    ceiling = min(BACKOFF_BASE_SECONDS * 2.0 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return ceiling / 2 + (rng or _JITTER).uniform(0, ceiling / 2)


def enqueue_result_delivery(session: Session, project: Project, task_id: str) -> None:
    """Put the task's result webhook in the outbox, inside the caller's transaction.

    Call it in the transaction that completes the task: the row commits (or rolls back) with
    the result. Flushes, never commits; does nothing when the project has no callback URL.
    For internal callers only: ``task_id`` is trusted to be one of ``project``'s tasks.

    Raises:
        NotFound: there is no such task.

    """
    url = project.callback_url
    if not url:
        return
    task = get_task_record(session, task_id)
    if task is None:
        raise NotFound(f"No task {task_id!r}.")
    document = build_task_documents(session, task.org_id, [task])[0]
    now = utcnow()
    delivery_id = store.new_delivery_id()
    payload = {
        "id": delivery_id,
        "event": RESULT_EVENT,
        "created_at": now,
        "project_id": task.project_id,
        "task": document,
    }
    store.insert_delivery(
        session,
        delivery_id=delivery_id,
        org_id=task.org_id,
        project_id=task.project_id,
        task_id=task.id,
        event=RESULT_EVENT,
        url=url,
        payload=to_json_value(payload),
        now=now,
    )


@dataclass
class DispatchReport:
    """What one :func:`dispatch_due` call did."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    lost: int = 0  # outcome not recorded: the lease expired and another dispatcher took over


@dataclass(frozen=True)
class _Job:
    id: str
    project_id: str
    task_id: str | None
    event: str
    url: str
    body: bytes
    attempts: int
    lease: datetime
    secret: str


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    status_code: int | None
    error: str


def dispatch_due(
    session_factory: SessionFactory,
    http: httpx.Client,
    *,
    now: datetime | None = None,
    limit: int = 100,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    rng: random.Random | None = None,
) -> DispatchReport:
    """Send up to ``limit`` due deliveries and record each outcome.

    Deliveries are leased ``CLAIM_SIZE`` at a time and each lease's POSTs go out in parallel,
    so one receiver that hangs until the timeout delays the others by one timeout, not by one
    per delivery.

    Args:
        session_factory: makes the short transactions for claims and outcomes.
        http: the client that POSTs (its timeout bounds each attempt).
        now: the clock (defaults to the current time).
        limit: the most deliveries to take in this call.
        max_attempts: attempts after which a failing delivery is dead.
        rng: the jitter's random source.

    """
    report = DispatchReport()
    # Generous: the lease must outlast a whole claim's sends, or another dispatcher resends.
    lease_seconds = 2 * (_attempt_seconds(http) + 5) + 30
    with ThreadPoolExecutor(CLAIM_SIZE, thread_name_prefix="assay-webhook-send") as pool:
        while report.claimed < limit:
            size = min(CLAIM_SIZE, limit - report.claimed)
            jobs = _claim(session_factory, now or utcnow(), lease_seconds, size)
            if not jobs:
                break
            report.claimed += len(jobs)
            outcomes = list(pool.map(lambda job: _send(http, job), jobs))
            for job, outcome in zip(jobs, outcomes, strict=True):
                _record(session_factory, job, outcome, now or utcnow(), max_attempts, rng, report)
    return report


def _attempt_seconds(http: httpx.Client) -> float:
    timeout = http.timeout
    parts = (timeout.connect, timeout.write, timeout.read)
    return float(sum(part for part in parts if part is not None)) or 60.0


def _claim(
    session_factory: SessionFactory, now: datetime, lease_seconds: float, limit: int
) -> list[_Job]:
    lease = now + timedelta(seconds=lease_seconds)
    with session_factory() as session:
        rows = store.claim_due_deliveries(session, now=now, locked_until=lease, limit=limit)
        secrets = store.get_webhook_secrets(session, sorted({row.project_id for row in rows}))
        jobs = [
            _Job(
                id=row.id,
                project_id=row.project_id,
                task_id=row.task_id,
                event=row.event,
                url=row.url,
                body=orjson.dumps(row.payload),
                attempts=row.attempts,
                lease=lease,
                secret=secrets.get(row.project_id, ""),
            )
            for row in rows
        ]
        session.commit()
    return jobs


def _send(http: httpx.Client, job: _Job) -> _Outcome:
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: job.event,
        DELIVERY_HEADER: job.id,
        SIGNATURE_HEADER: sign(job.secret, int(time.time()), job.body),
    }
    try:
        with http.stream("POST", job.url, content=job.body, headers=headers) as answer:
            snippet = b""
            for chunk in answer.iter_bytes():
                snippet += chunk
                if len(snippet) >= _ERROR_SNIPPET:
                    break
    except Exception as error:
        # Whatever went wrong (timeout, refused, bad URL) is one failed attempt: a delivery that
        # crashed the dispatcher instead would be retried forever without counting.
        return _Outcome(ok=False, status_code=None, error=f"{type(error).__name__}: {error}")
    if 200 <= answer.status_code < 300:
        return _Outcome(ok=True, status_code=answer.status_code, error="")
    text = snippet[:_ERROR_SNIPPET].decode("utf-8", "replace")
    return _Outcome(False, answer.status_code, f"HTTP {answer.status_code}: {text}".strip())


def _record(
    session_factory: SessionFactory,
    job: _Job,
    outcome: _Outcome,
    now: datetime,
    max_attempts: int,
    rng: random.Random | None,
    report: DispatchReport,
) -> None:
    with session_factory() as session:
        if outcome.ok:
            kept = store.record_delivery_success(
                session, job.id, lease=job.lease, status_code=outcome.status_code or 200, now=now
            )
            if kept and job.event == RESULT_EVENT and job.task_id:
                store.mark_result_delivered(session, job.task_id, now=now)
            report.delivered += kept
        else:
            attempts = job.attempts + 1
            dead = attempts >= max_attempts
            kept = store.record_delivery_failure(
                session,
                job.id,
                lease=job.lease,
                status_code=outcome.status_code,
                error=outcome.error,
                next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts, rng)),
                dead=dead,
            )
            if kept and dead:
                log.warning("webhook delivery %s is dead after %d attempts", job.id, attempts)
            report.dead += kept and dead
            report.retrying += kept and not dead
        report.lost += not kept
        session.commit()


class WebhookDispatcher:
    """A background thread that sends due deliveries, polling the outbox every second.

    Any number of dispatchers (threads, processes, servers) may run against one database: the
    claim hands each due delivery to one of them at a time.
    """

    def __init__(
        self,
        session_factory: SessionFactory,
        http: httpx.Client,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        poll_seconds: float = 1.0,
    ) -> None:
        self.session_factory = session_factory
        self.http = http
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.sent = DispatchReport()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="assay-webhooks", daemon=True)

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread.is_alive()

    def start(self) -> None:
        """Start polling."""
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the delivery in flight (at most one claim of ``CLAIM_SIZE``); close HTTP."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.http.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            claimed = 0
            try:
                report = dispatch_due(
                    self.session_factory,
                    self.http,
                    limit=CLAIM_SIZE,
                    max_attempts=self.max_attempts,
                )
                claimed = report.claimed
                self._add(report)
            except Exception:
                # A database or network hiccup must not kill the thread; the rows stay queued.
                log.exception("webhook dispatch failed; retrying in %.1f s", self.poll_seconds)
            if claimed < CLAIM_SIZE:
                self._stopping.wait(self.poll_seconds)

    def _add(self, report: DispatchReport) -> None:
        for name in ("claimed", "delivered", "retrying", "dead", "lost"):
            setattr(self.sent, name, getattr(self.sent, name) + getattr(report, name))


def start_dispatcher(settings: Settings, session_factory: SessionFactory) -> WebhookDispatcher:
    """Start the webhook thread ``assay serve`` runs beside the API (stop it on shutdown)."""
    http = httpx.Client(
        timeout=settings.webhook_timeout_seconds,
        follow_redirects=False,
        headers={"User-Agent": f"Assay-Webhooks/{__version__}"},
    )
    dispatcher = WebhookDispatcher(
        session_factory, http, max_attempts=settings.webhook_max_attempts
    )
    dispatcher.start()
    return dispatcher
