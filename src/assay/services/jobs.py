"""Background jobs: enqueue inside a service's transaction; a runner thread executes handlers.

Handlers are registered by kind (``register_handler("model.generate", fn)``); each runs in its
own session and transaction. A failure is retried with exponential backoff up to the job's
``max_attempts``, then the job is marked failed with its last error — nothing is dropped.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from assay.store import Session, SessionFactory
from assay.store import jobs as store
from assay.store.base import utcnow

log = logging.getLogger(__name__)

Handler = Callable[[Session, str, dict[str, Any]], None]
"""A job handler: (session, org_id, payload). It commits its own work."""

_HANDLERS: dict[str, Handler] = {}
LEASE = timedelta(minutes=5)


def register_handler(kind: str, handler: Handler) -> None:
    """Route jobs of ``kind`` to ``handler`` (later registrations replace earlier ones)."""
    _HANDLERS[kind] = handler


def enqueue_job(
    session: Session,
    *,
    org_id: str,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
    delay_seconds: float = 0.0,
    max_attempts: int = 8,
) -> str | None:
    """Add a job to the caller's transaction (flush only; the caller commits)."""
    return store.insert_job(
        session,
        org_id=org_id,
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key,
        run_after=utcnow() + timedelta(seconds=delay_seconds),
        max_attempts=max_attempts,
    )


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """2 s, 4 s, 8 s ... capped at 10 minutes, with jitter so retries do not stampede."""
    base = min(600.0, 2.0 ** max(attempts, 1))
    return timedelta(seconds=base * (0.5 + rng.random() / 2))


@dataclass
class RunReport:
    """What one pass of the runner did."""

    done: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def run_due_jobs(
    factory: SessionFactory,
    *,
    now: datetime | None = None,
    limit: int = 20,
    rng: random.Random | None = None,
) -> RunReport:
    """Claim and run due jobs of every registered kind once."""
    rng = rng or random.Random()
    report = RunReport()
    with factory() as session:
        jobs = store.claim_due_jobs(
            session, now=now or utcnow(), lease=LEASE, limit=limit, kinds=sorted(_HANDLERS)
        )
        claimed = [(j.id, j.org_id, j.kind, dict(j.payload)) for j in jobs]
        session.commit()
    for job_id, org_id, kind, payload in claimed:
        _run_one(factory, job_id, org_id, kind, payload, rng, report)
    return report


def _run_one(
    factory: SessionFactory,
    job_id: str,
    org_id: str,
    kind: str,
    payload: dict[str, Any],
    rng: random.Random,
    report: RunReport,
) -> None:
    try:
        with factory() as session:
            _HANDLERS[kind](session, org_id, payload)
    except Exception as exc:  # a handler's failure must never stop the runner
        log.warning("job %s (%s) failed: %s", job_id, kind, exc)
        _record_failure(factory, job_id, f"{type(exc).__name__}: {exc}", rng, report)
        return
    with factory() as session:
        job = store.get_job(session, job_id)
        if job is not None:
            job.status, job.finished_at, job.locked_until = "done", utcnow(), None
        session.commit()
    report.done.append(job_id)


def _record_failure(
    factory: SessionFactory, job_id: str, error: str, rng: random.Random, report: RunReport
) -> None:
    with factory() as session:
        job = store.get_job(session, job_id)
        if job is None:
            return
        job.last_error = error[:4000]
        job.locked_until = None
        if job.attempts >= job.max_attempts:
            job.status, job.finished_at = "failed", utcnow()
            report.failed.append(job_id)
        else:
            job.status, job.run_after = "pending", utcnow() + backoff(job.attempts, rng)
            report.retried.append(job_id)
        session.commit()


class JobRunner:
    """A daemon thread running due jobs every ``interval`` seconds until stopped."""

    def __init__(self, factory: SessionFactory, interval: float = 1.0) -> None:
        self._factory = factory
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="assay-jobs", daemon=True)

    def start(self) -> JobRunner:
        """Begin polling."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current pass and stop."""
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = run_due_jobs(self._factory)
            except Exception:  # keep polling through a database hiccup
                log.exception("job runner pass failed")
                report = RunReport()
            if not report.done and not report.retried and not report.failed:
                self._stop.wait(self._interval)
