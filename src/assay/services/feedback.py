"""What a worker learns from their gold misses: the expected answer and the guideline behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assay.services.actor import Actor
from assay.store import Session
from assay.store import projects as project_store
from assay.store import workforce as store


@dataclass(frozen=True)
class GoldMiss:
    """One gold task the worker got wrong, shown only after they answered it."""

    task_id: str
    project_id: str
    payload: dict[str, Any]
    your_answer: dict[str, Any]
    expected_answer: dict[str, Any]
    guideline_version: int
    guideline_goal: str
    guideline_principles: list[str]
    answered_at: datetime


def gold_misses(session: Session, actor: Actor) -> list[GoldMiss]:
    """The calling worker's own gold misses, newest first."""
    worker_id = actor.require_worker()
    misses = []
    for response, task in store.list_gold_misses(session, actor.org_id, worker_id):
        guideline = project_store.get_guideline_version(
            session, task.project_id, response.guideline_version
        )
        misses.append(
            GoldMiss(
                task_id=task.id,
                project_id=task.project_id,
                payload=task.payload,
                your_answer=response.answer,
                expected_answer=task.gold_answer or {},
                guideline_version=response.guideline_version,
                guideline_goal=guideline.goal if guideline else "",
                guideline_principles=list(guideline.principles) if guideline else [],
                answered_at=response.created_at,
            )
        )
    return misses
