"""A worker's own view: profile, qualification tests, gold feedback, quality, earnings, rework."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.me import OwnQualityPublic
from assay.api.schemas.quality import EstimatePublic, SeriesPointPublic
from assay.api.schemas.workforce import (
    EarningsRowPublic,
    GoldMissPublic,
    QualificationStatusPublic,
    ReworkPublic,
    WorkerPublic,
)
from assay.services import earnings, feedback, qualification, quality_dashboards, reviews, workers

router = APIRouter(prefix="/v1/me", tags=["me"])


@router.get("", response_model=WorkerPublic)
def my_profile(actor: ActorDep, session: SessionDep) -> WorkerPublic:
    """The calling worker's profile."""
    return WorkerPublic.model_validate(
        workers.get_worker_profile(session, actor, actor.require_worker())
    )


@router.get("/qualifications", response_model=list[QualificationStatusPublic])
def my_qualifications(actor: ActorDep, session: SessionDep) -> list[QualificationStatusPublic]:
    """Qualification tests open to the worker, with progress and outcome."""
    return [
        QualificationStatusPublic(**vars(s))
        for s in qualification.list_qualification_tests(session, actor)
    ]


@router.get("/gold-misses", response_model=list[GoldMissPublic])
def my_gold_misses(actor: ActorDep, session: SessionDep) -> list[GoldMissPublic]:
    """Gold tasks the worker answered wrongly, with the expected answer and the guideline."""
    return [GoldMissPublic(**vars(m)) for m in feedback.gold_misses(session, actor)]


@router.get("/quality", response_model=OwnQualityPublic)
def my_quality(
    actor: ActorDep,
    session: SessionDep,
    period: Annotated[str, Query(pattern="^(day|week)$")] = "week",
) -> OwnQualityPublic:
    """Your quality over time (gold accuracy, review grades, flagged share), estimates, misses."""
    own = quality_dashboards.own_quality(session, actor, period)
    return OwnQualityPublic(
        period=own.board.period,
        series={
            name: [SeriesPointPublic(**vars(p)) for p in points]
            for name, points in own.board.series.items()
        },
        summary={k: v for k, v in own.board.summary.items() if k != "estimates"},
        estimates=[EstimatePublic.model_validate(e) for e in own.estimates],
        gold_misses=[GoldMissPublic(**vars(m)) for m in own.misses],
    )


@router.get("/earnings", response_model=list[EarningsRowPublic])
def my_earnings(
    actor: ActorDep,
    session: SessionDep,
    period: Annotated[str, Query(pattern="^(day|week|month)$")] = "week",
) -> list[EarningsRowPublic]:
    """Pay per period with tasks, active time and pay per hour."""
    rows = earnings.earnings_summary(session, actor, period)  # type: ignore[arg-type]
    return [
        EarningsRowPublic(
            key=r.key,
            tasks=r.tasks,
            pay_cents=r.pay_cents,
            active_seconds=r.active_seconds,
            per_hour_cents=r.per_hour_cents,
        )
        for r in rows
    ]


@router.get("/rework", response_model=list[ReworkPublic])
def my_rework(actor: ActorDep, session: SessionDep) -> list[ReworkPublic]:
    """Work a reviewer sent back, with the reason; it also comes first from `next`."""
    return [ReworkPublic.model_validate(a) for a in reviews.list_rework(session, actor)]
