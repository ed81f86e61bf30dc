"""Project progress for requesters and operations: counts by stage and daily throughput."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from assay.domain.enums import Role
from assay.services.actor import Actor
from assay.services.projects import load_project
from assay.store import Session
from assay.store import tasks as task_store
from assay.store import workforce as store
from assay.store.base import utcnow


@dataclass(frozen=True)
class Progress:
    """Where a project's work stands."""

    tasks_by_state: dict[str, int]
    responses_by_status: dict[str, int]
    throughput: list[tuple[str, int]]  # (day, responses), oldest first

    @property
    def in_review(self) -> int:
        """Responses waiting for a reviewer."""
        return self.responses_by_status.get("in_review", 0)


def project_progress(session: Session, actor: Actor, project_id: str, days: int = 14) -> Progress:
    """Task counts (open, complete, delivered, cancelled), review backlog, responses per day."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    since = (utcnow() - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    per_day = Counter(
        t.date().isoformat() for t in store.count_responses_by_day(session, project.id, since)
    )
    throughput = [((since + timedelta(days=i)).date().isoformat(), 0) for i in range(days)]
    throughput = [(day, per_day.get(day, 0)) for day, _ in throughput]
    return Progress(
        tasks_by_state=task_store.count_tasks_by_state(session, project.id),
        responses_by_status=store.count_responses_by_status(session, project.id),
        throughput=throughput,
    )
