"""Queries about the workforce: roster activity, gold misses, earnings rows, guideline Q&A."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assay.store.models import GuidelineQuestion, Response, Task, Worker


def list_workers(session: Session, org_id: str) -> list[Worker]:
    """Every worker of the organisation, by handle."""
    query = select(Worker).where(Worker.org_id == org_id).order_by(Worker.handle)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Activity:
    """What a worker did recently."""

    responses: int
    last_active_at: datetime | None
    gold_answered: int
    gold_correct: int


def worker_activity(session: Session, org_id: str, since: datetime) -> dict[str, Activity]:
    """Per worker: responses since ``since``, last response time, gold answered and correct."""
    recent = func.sum(case((Response.created_at >= since, 1), else_=0))
    gold = func.sum(case((Response.gold_correct.is_not(None), 1), else_=0))
    correct = func.sum(case((Response.gold_correct.is_(True), 1), else_=0))
    rows = session.execute(
        select(Response.worker_id, recent, func.max(Response.created_at), gold, correct)
        .where(Response.org_id == org_id)
        .group_by(Response.worker_id)
    )
    return {
        worker_id: Activity(int(n or 0), last, int(g or 0), int(c or 0))
        for worker_id, n, last, g, c in rows
    }


def list_gold_misses(
    session: Session, org_id: str, worker_id: str, limit: int = 200
) -> list[tuple[Response, Task]]:
    """The worker's wrong answers on gold tasks, newest first, with their tasks."""
    rows = session.execute(
        select(Response, Task)
        .join(Task, Task.id == Response.task_id)
        .where(
            Response.org_id == org_id,
            Response.worker_id == worker_id,
            Response.gold_correct.is_(False),
        )
        .order_by(Response.created_at.desc())
        .limit(limit)
    )
    return [(response, task) for response, task in rows]


def list_worker_responses_between(
    session: Session, org_id: str, worker_id: str | None, start: datetime, end: datetime
) -> list[Response]:
    """Responses in a time window (one worker, or all when ``worker_id`` is None)."""
    query = select(Response).where(
        Response.org_id == org_id, Response.created_at >= start, Response.created_at < end
    )
    if worker_id is not None:
        query = query.where(Response.worker_id == worker_id)
    return list(session.scalars(query.order_by(Response.created_at)))


def insert_guideline_question(session: Session, question: GuidelineQuestion) -> None:
    """Store a worker's question."""
    session.add(question)
    session.flush()


def get_guideline_question(
    session: Session, org_id: str, question_id: str
) -> GuidelineQuestion | None:
    """A question of this organisation."""
    return session.scalar(
        select(GuidelineQuestion).where(
            GuidelineQuestion.org_id == org_id, GuidelineQuestion.id == question_id
        )
    )


def list_guideline_questions(session: Session, project_id: str) -> list[GuidelineQuestion]:
    """A project's questions, newest first."""
    query = select(GuidelineQuestion).where(GuidelineQuestion.project_id == project_id)
    return list(session.scalars(query.order_by(GuidelineQuestion.created_at.desc())))


def count_responses_by_day(session: Session, project_id: str, since: datetime) -> list[datetime]:
    """Creation times of a project's responses since ``since`` (bucketed by the caller)."""
    query = select(Response.created_at).where(
        Response.project_id == project_id, Response.created_at >= since
    )
    return list(session.scalars(query))


def count_responses_by_status(session: Session, project_id: str) -> dict[str, int]:
    """How many of a project's responses are in each status."""
    rows = session.execute(
        select(Response.status, func.count())
        .where(Response.project_id == project_id)
        .group_by(Response.status)
    )
    return {status: count for status, count in rows}
