"""Quality over time: per project and per worker, by day or week, each value with its band.

Bands: gold accuracy and shares use a Beta (Jeffreys) interval; review grades a normal interval
of the mean; agreement (Krippendorff's alpha) a bootstrap over tasks. Empty periods stay in the
series with no value, so a chart shows the gap instead of hiding it.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import fmean, stdev
from typing import Any

from assay.domain.enums import Role
from assay.errors import PermissionDenied
from assay.quality import krippendorff_alpha
from assay.quality.errors import QualityInputError
from assay.quality.signals import beta_interval
from assay.services.actor import Actor
from assay.services.delivery_gate import HELD_STATUSES
from assay.services.feedback import GoldMiss, gold_misses
from assay.services.projects import load_project
from assay.services.quality_data import answer_of, categorical_question, class_of
from assay.services.tasks import project_template
from assay.store import Session
from assay.store import projects as project_store
from assay.store import quality_gate as gate_store
from assay.store import quality_ops as store
from assay.store.base import utcnow
from assay.store.models import Response
from assay.store.models.quality_ops import WorkerSkillEstimate
from assay.store.workforce import list_worker_responses_between

SHOWN = {"day": 14, "week": 12}
BOOTSTRAP = 40


@dataclass(frozen=True)
class SeriesPoint:
    """One period's value with its band and the number of observations behind it."""

    period: str
    value: float | None
    low: float | None
    high: float | None
    n: int


@dataclass
class Dashboard:
    """Named series over the same periods, and headline numbers."""

    period: str
    series: dict[str, list[SeriesPoint]] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def period_starts(period: str, now: datetime | None = None) -> list[datetime]:
    """Return the starts of the last few days or ISO weeks, oldest first."""
    moment = (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        moment -= timedelta(days=moment.weekday())
    step = timedelta(days=7 if period == "week" else 1)
    return [moment - step * i for i in range(SHOWN[period] - 1, -1, -1)]


def _bucket(starts: list[datetime], moment: datetime) -> int | None:
    for index in range(len(starts) - 1, -1, -1):
        if moment >= starts[index]:
            return index
    return None


def _grouped(starts: list[datetime], responses: Sequence[Response]) -> list[list[Response]]:
    buckets: list[list[Response]] = [[] for _ in starts]
    for response in responses:
        index = _bucket(starts, response.created_at)
        if index is not None:
            buckets[index].append(response)
    return buckets


def _label(start: datetime) -> str:
    return start.date().isoformat()


def share_series(starts: list[datetime], buckets: list[list[bool]]) -> list[SeriesPoint]:
    """Return a proportion per period with its Jeffreys interval."""
    points = []
    for start, values in zip(starts, buckets, strict=True):
        if not values:
            points.append(SeriesPoint(_label(start), None, None, None, 0))
            continue
        hits = float(sum(values))
        low, high = beta_interval(hits, len(values), 0.95)
        points.append(SeriesPoint(_label(start), hits / len(values), low, high, len(values)))
    return points


def mean_series(starts: list[datetime], buckets: list[list[float]]) -> list[SeriesPoint]:
    """Return a mean per period with a normal 95% interval."""
    points = []
    for start, values in zip(starts, buckets, strict=True):
        if not values:
            points.append(SeriesPoint(_label(start), None, None, None, 0))
            continue
        mean = fmean(values)
        half = 1.96 * stdev(values) / len(values) ** 0.5 if len(values) > 1 else None
        low, high = (mean - half, mean + half) if half is not None else (None, None)
        points.append(SeriesPoint(_label(start), mean, low, high, len(values)))
    return points


def count_series(starts: list[datetime], values: list[float]) -> list[SeriesPoint]:
    """Return a total per period (no band)."""
    return [
        SeriesPoint(_label(s), v, None, None, int(v)) for s, v in zip(starts, values, strict=True)
    ]


def alpha_with_band(
    units: list[str], values: list[str], rng: random.Random
) -> tuple[float, float, float] | None:
    """Krippendorff's alpha (nominal) with a bootstrap 95% band over units; None if undefined."""
    codes: dict[str, int] = {}
    try:
        alpha = krippendorff_alpha([codes.setdefault(u, len(codes)) for u in units], values)
    except (QualityInputError, ZeroDivisionError):
        return None
    by_unit: dict[str, list[str]] = defaultdict(list)
    for unit, value in zip(units, values, strict=True):
        by_unit[unit].append(value)
    keys = list(by_unit)
    draws = []
    for _ in range(BOOTSTRAP):
        picked = [rng.choice(keys) for _ in keys]
        u = [i for i, k in enumerate(picked) for _ in by_unit[k]]
        v = [value for k in picked for value in by_unit[k]]
        try:
            draws.append(krippendorff_alpha(u, v))
        except (QualityInputError, ZeroDivisionError):
            continue
    if not draws or alpha != alpha:
        return None
    draws.sort()
    return float(alpha), draws[int(0.025 * len(draws))], draws[int(0.975 * len(draws)) - 1]


def _agreement(
    starts: list[datetime],
    buckets: list[list[Response]],
    classify: Callable[[Response], int | None],
) -> list[SeriesPoint]:
    rng = random.Random(0)
    points = []
    for start, rows in zip(starts, buckets, strict=True):
        pairs = [(r.task_id, classify(r)) for r in rows]
        per_task: dict[str, int] = defaultdict(int)
        for task_id, code in pairs:
            if code is not None:
                per_task[task_id] += 1
        kept = [(t, str(c)) for t, c in pairs if c is not None and per_task[t] >= 2]
        found = alpha_with_band([t for t, _ in kept], [c for _, c in kept], rng) if kept else None
        if found is None:
            points.append(SeriesPoint(_label(start), None, None, None, len(kept)))
        else:
            points.append(SeriesPoint(_label(start), found[0], found[1], found[2], len(kept)))
    return points


def project_dashboard(
    session: Session, actor: Actor, project_id: str, period: str = "day"
) -> Dashboard:
    """Gold accuracy, review grades, agreement, flagged share, throughput and cost over time."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    starts = period_starts(period)
    responses = store.list_project_responses(session, project.id)
    buckets = _grouped(starts, responses)
    question = categorical_question(project_template(project))
    flagged = _flagged_workers(session, project.id)
    board = Dashboard(period)
    board.series["gold_accuracy"] = share_series(
        starts,
        [[bool(r.gold_correct) for r in rows if r.gold_correct is not None] for rows in buckets],
    )
    board.series["review_grade"] = _review_series(session, project.id, starts)
    if question is not None:
        board.series["agreement"] = _agreement(
            starts, buckets, lambda r: class_of(question, answer_of(r))
        )
    board.series["flagged_share"] = share_series(
        starts,
        [[r.worker_id in flagged or r.status == "excluded" for r in rows] for rows in buckets],
    )
    board.series["throughput"] = count_series(starts, [float(len(rows)) for rows in buckets])
    board.series["cost"] = count_series(
        starts, [sum(r.pay_cents for r in rows) / 100 for rows in buckets]
    )
    board.summary = _summary(session, project.id, responses, flagged)
    return board


def _review_series(session: Session, project_id: str, starts: list[datetime]) -> list[SeriesPoint]:
    buckets: list[list[float]] = [[] for _ in starts]
    for review, _response in store.list_project_reviews(session, project_id):
        index = _bucket(starts, review.created_at)
        if index is not None:
            buckets[index].append(
                review.score if review.score is not None else float(review.verdict == "accept")
            )
    return mean_series(starts, buckets)


def _flagged_workers(session: Session, project_id: str) -> set[str]:
    workers: set[str] = set()
    for signal in store.list_signals(session, project_id, flagged_only=True, limit=10_000):
        if signal.status != "dismissed" and signal.subject_type in ("worker", "pair"):
            workers.update(w for w in (signal.worker_id, signal.other_worker_id) if w)
    return workers


def _summary(
    session: Session, project_id: str, responses: list[Response], flagged: set[str]
) -> dict[str, Any]:
    gold = [bool(r.gold_correct) for r in responses if r.gold_correct is not None]
    low, high = beta_interval(float(sum(gold)), len(gold), 0.95) if gold else (None, None)
    calibration = gate_store.get_calibration(session, project_id)
    held = gate_store.list_gates(session, project_id, statuses=HELD_STATUSES)
    return {
        "responses": len(responses),
        "gold_answers": len(gold),
        "gold_accuracy": sum(gold) / len(gold) if gold else None,
        "gold_accuracy_band": [low, high],
        "flagged_workers": len(flagged),
        "excluded_responses": sum(r.status == "excluded" for r in responses),
        "cost": sum(r.pay_cents for r in responses) / 100,
        "held_tasks": len(held),
        "calibration": calibration.reliability if calibration else None,
    }


def worker_trend(session: Session, actor: Actor, worker_id: str, period: str = "week") -> Dashboard:
    """A worker's gold accuracy, review grades, flagged share and throughput over time.

    The summary holds their headline numbers and their estimates (``estimates``).
    """
    if actor.role in (Role.WORKER, Role.REVIEWER) and actor.worker_id != worker_id:
        raise PermissionDenied("Workers may see only their own trend.")
    starts = period_starts(period)
    responses = _worker_responses(session, actor.org_id, worker_id)
    buckets = _grouped(starts, responses)
    flagged_in = _flagged_projects(session, actor.org_id, worker_id)
    board = Dashboard(period)
    board.series["gold_accuracy"] = share_series(
        starts,
        [[bool(r.gold_correct) for r in rows if r.gold_correct is not None] for rows in buckets],
    )
    board.series["review_grade"] = _worker_review_series(session, actor.org_id, worker_id, starts)
    board.series["flagged_share"] = share_series(
        starts,
        [[r.project_id in flagged_in or r.status == "excluded" for r in rows] for rows in buckets],
    )
    board.series["throughput"] = count_series(starts, [float(len(rows)) for rows in buckets])
    gold = [bool(r.gold_correct) for r in responses if r.gold_correct is not None]
    low, high = beta_interval(float(sum(gold)), len(gold), 0.95) if gold else (None, None)
    board.summary = {
        "responses": len(responses),
        "gold_answers": len(gold),
        "gold_accuracy": sum(gold) / len(gold) if gold else None,
        "gold_accuracy_band": [low, high],
        "excluded_responses": sum(r.status == "excluded" for r in responses),
        "flagged_projects": len(flagged_in),
        "estimates": store.list_estimates(session, actor.org_id, worker_id=worker_id),
    }
    return board


def _worker_review_series(
    session: Session, org_id: str, worker_id: str, starts: list[datetime]
) -> list[SeriesPoint]:
    buckets: list[list[float]] = [[] for _ in starts]
    for review in store.list_worker_reviews(session, org_id, worker_id, starts[0]):
        index = _bucket(starts, review.created_at)
        if index is not None:
            buckets[index].append(
                review.score if review.score is not None else float(review.verdict == "accept")
            )
    return mean_series(starts, buckets)


def _flagged_projects(session: Session, org_id: str, worker_id: str) -> set[str]:
    """Projects where a detector's flag on the worker (alone or in a pair) stands."""
    return {
        signal.project_id
        for signal in store.list_worker_signals(session, org_id, worker_id)
        if signal.flagged
        and signal.status != "dismissed"
        and signal.subject_type in ("worker", "pair")
    }


def _worker_responses(session: Session, org_id: str, worker_id: str) -> list[Response]:
    now = utcnow()
    return list_worker_responses_between(
        session, org_id, worker_id, now - timedelta(days=400), now + timedelta(days=1)
    )


@dataclass(frozen=True)
class OwnQuality:
    """What a worker sees of their own quality: the trend, their estimates, their gold misses."""

    board: Dashboard
    estimates: list[WorkerSkillEstimate]
    misses: list[GoldMiss]


def own_quality(session: Session, actor: Actor, period: str = "week") -> OwnQuality:
    """Return the calling worker's own trend, estimates and gold misses (no one else's).

    Gold answers appear only in misses, i.e. for gold tasks the worker has already answered.

    Raises:
        PermissionDenied: the key is not a worker's.

    """
    worker_id = actor.require_worker()
    board = worker_trend(session, actor, worker_id, period)
    estimates = board.summary["estimates"]
    return OwnQuality(board, estimates, gold_misses(session, actor))


def skill_labels(session: Session, actor: Actor, skills: Sequence[str]) -> dict[str, str]:
    """A readable name for each estimate's skill key: a project's name for its own skill.

    Pooled skills keep their key (it is the skill's name); a project the organisation no
    longer has keeps its key too.
    """
    prefix = "project:"
    ids = sorted({s.removeprefix(prefix) for s in skills if s.startswith(prefix)})
    names = {p.id: p.name for p in project_store.list_projects_by_ids(session, actor.org_id, ids)}
    return {
        skill: names.get(skill.removeprefix(prefix), skill) if skill.startswith(prefix) else skill
        for skill in skills
    }
