"""Earnings: per task, per hour and per period for a worker; payment reports for operations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from assay.domain.enums import Role
from assay.services.actor import Actor
from assay.store import Session
from assay.store import workforce as store
from assay.store.base import utcnow
from assay.store.models import Response

Period = Literal["day", "week", "month"]
_PAID_STATUSES = ("accepted", "in_review")


@dataclass(frozen=True)
class EarningsRow:
    """Pay for one period (or one worker, in payment reports)."""

    key: str
    tasks: int
    pay_cents: int
    active_seconds: int

    @property
    def per_hour_cents(self) -> int | None:
        """Pay per hour of active time, when any time was recorded."""
        if self.active_seconds <= 0:
            return None
        return round(self.pay_cents * 3600 / self.active_seconds)


def period_start(moment: datetime, period: Period) -> datetime:
    """The start (UTC) of the day, ISO week or month containing ``moment``."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _rows(
    responses: list[Response], key_of: dict[str, str] | None, period: Period
) -> list[EarningsRow]:
    tasks: dict[str, int] = defaultdict(int)
    pay: dict[str, int] = defaultdict(int)
    seconds: dict[str, int] = defaultdict(int)
    for response in responses:
        if response.status not in _PAID_STATUSES:
            continue
        key = (
            key_of[response.worker_id]
            if key_of is not None
            else period_start(response.created_at, period).date().isoformat()
        )
        tasks[key] += 1
        pay[key] += response.pay_cents
        seconds[key] += (response.active_time_ms or 0) // 1000
    return [EarningsRow(k, tasks[k], pay[k], seconds[k]) for k in sorted(tasks)]


def earnings_summary(
    session: Session, actor: Actor, period: Period = "week", *, days: int = 90
) -> list[EarningsRow]:
    """The calling worker's pay per period over the last ``days`` (rejected work is unpaid)."""
    worker_id = actor.require_worker()
    end = utcnow()
    responses = store.list_worker_responses_between(
        session, actor.org_id, worker_id, end - timedelta(days=days), end + timedelta(seconds=1)
    )
    return _rows(responses, None, period)


def payment_report(
    session: Session, actor: Actor, start: datetime, end: datetime
) -> list[EarningsRow]:
    """What each worker earned in [start, end), keyed by worker handle (operations only)."""
    actor.require(Role.REQUESTER)
    handles = {w.id: w.handle for w in store.list_workers(session, actor.org_id)}
    responses = store.list_worker_responses_between(session, actor.org_id, None, start, end)
    return _rows(responses, handles, "day")
