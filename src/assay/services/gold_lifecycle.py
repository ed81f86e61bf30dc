"""Gold lifecycle: detect leaked gold, retire and rotate it, check it looks like real work."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import orjson

from assay.domain.enums import Role
from assay.errors import InvalidInput, NotFound
from assay.quality.errors import QualityInputError
from assay.quality.signals import gold_leak_score, indistinguishability
from assay.services.actor import Actor
from assay.services.projects import load_project
from assay.services.quality_audit import SYSTEM_ACTOR, record_action
from assay.services.quality_data import ProjectData
from assay.services.quality_signals import Draft
from assay.store import Session
from assay.store import projects as project_store
from assay.store import quality_gate as store
from assay.store import quality_ops as signal_store
from assay.store import tasks as task_store
from assay.store.base import utcnow
from assay.store.models import Project, Task
from assay.store.models.quality_ops import GoldStatus, QualityAction


def _seconds(data: ProjectData, gold: bool) -> dict[str, list[float]]:
    by_task: dict[str, list[float]] = {}
    for response in data.scored():
        task = data.tasks.get(response.task_id)
        if task is not None and task.is_gold == gold and response.active_time_ms is not None:
            by_task.setdefault(task.id, []).append(response.active_time_ms / 1000)
    return by_task


def detect_gold_leaks(data: ProjectData) -> list[Draft]:
    """Gold tasks answered unusually fast and right by many workers."""
    regular = [s for values in _seconds(data, False).values() for s in values]
    if len(regular) < 10:
        return []
    outcomes: dict[str, list[tuple[float, bool]]] = {}
    for response in data.scored():
        if response.gold_correct is not None and response.active_time_ms is not None:
            outcomes.setdefault(response.task_id, []).append(
                (response.active_time_ms / 1000, bool(response.gold_correct))
            )
    total_right = sum(ok for rows in outcomes.values() for _, ok in rows)
    total = sum(len(rows) for rows in outcomes.values())
    drafts = []
    for task_id, rows in outcomes.items():
        others = total - len(rows)
        expected = (total_right - sum(ok for _, ok in rows)) / others if others else None
        signal = gold_leak_score(
            [s for s, _ in rows], [ok for _, ok in rows], regular, expected_accuracy=expected
        )
        drafts.append(
            Draft(
                "gold_leak",
                "gold",
                task_id,
                signal.score,
                signal.flagged,
                signal.threshold,
                dict(signal.evidence),
            )
        )
    return drafts


def detect_distinguishable_gold(data: ProjectData) -> list[Draft]:
    """Whether gold tasks differ from real ones in their fields or their timing."""
    features: dict[bool, dict[str, list[float]]] = {True: {}, False: {}}
    for response in data.scored():
        task = data.tasks.get(response.task_id)
        if task is None or response.active_time_ms is None:
            continue
        row = features[task.is_gold]
        row.setdefault("active_seconds", []).append(response.active_time_ms / 1000)
        row.setdefault("payload_chars", []).append(float(len(orjson.dumps(task.payload))))
        row.setdefault("payload_fields", []).append(float(len(task.payload)))
    if (
        min(
            len(features[True].get("active_seconds", [])),
            len(features[False].get("active_seconds", [])),
        )
        < 2
    ):
        return []
    try:
        signal = indistinguishability(features[True], features[False])
    except QualityInputError:
        return []
    return [
        Draft(
            signal.kind,
            "project",
            data.project.id,
            signal.score,
            signal.flagged,
            signal.threshold,
            dict(signal.evidence),
        )
    ]


def retire_gold_task(
    session: Session,
    project: Project,
    task_id: str,
    reason: str,
    signal_id: str | None = None,
    actor: str = SYSTEM_ACTOR,
) -> QualityAction | None:
    """Take a gold task out of rotation (reversible); None when it is not active gold."""
    task = task_store.get_task(session, project.org_id, task_id)
    if task is None or not task.is_gold or task.state != "open":
        return None
    task.state = "cancelled"
    store.save_gold_status(
        session,
        GoldStatus(
            task_id=task.id,
            org_id=project.org_id,
            project_id=project.id,
            status="retired",
            reason=reason,
            guideline_version=project.guideline_version,
            updated_at=utcnow(),
        ),
    )
    return record_action(
        session,
        project,
        kind="retire_gold",
        target_type="task",
        target_id=task.id,
        reason=reason,
        signal_id=signal_id,
        actor=actor,
        details={"state_before": "open"},
    )


def restore_gold_task(session: Session, project: Project, task_id: str) -> None:
    """Put a retired gold task back into rotation."""
    task = task_store.get_task(session, project.org_id, task_id)
    if task is None or not task.is_gold:
        raise NotFound(f"No gold task {task_id!r} in this project.")
    if task.state == "cancelled":
        task.state = "open"
    store.save_gold_status(
        session,
        GoldStatus(
            task_id=task.id,
            org_id=project.org_id,
            project_id=project.id,
            status="active",
            reason="restored",
            guideline_version=project.guideline_version,
            updated_at=utcnow(),
        ),
    )


def rotate_gold(
    session: Session, actor: Actor, project_id: str, *, created_before_version: int
) -> list[str]:
    """Retire the gold written before a guideline version was published; commits."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    version = project_store.get_guideline_version(session, project.id, created_before_version)
    if version is None:
        raise InvalidInput(f"The project has no guideline version {created_before_version}.")
    retired = []
    for task in store.list_gold_tasks(session, project.id):
        if task.created_at < version.created_at:
            reason = f"written before guidelines v{created_before_version}"
            if retire_gold_task(session, project, task.id, reason, actor=actor.label):
                retired.append(task.id)
    session.commit()
    return retired


@dataclass(frozen=True)
class GoldRow:
    """One gold task's state, use and leak score."""

    task: Task
    status: str
    answered: int
    accuracy: float | None
    leak_score: float | None
    leak_flagged: bool


def gold_overview(session: Session, actor: Actor, project_id: str) -> list[GoldRow]:
    """Every gold task with its lifecycle status, accuracy and leak score."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    statuses = {s.task_id: s.status for s in store.list_gold_statuses(session, project.id)}
    answered: dict[str, list[bool]] = {}
    for response in signal_store.list_project_responses(session, project.id):
        if response.gold_correct is not None:
            answered.setdefault(response.task_id, []).append(bool(response.gold_correct))
    leaks = {
        s.subject_id: s for s in signal_store.list_signals(session, project.id, kind="gold_leak")
    }
    rows = []
    for task in store.list_gold_tasks(session, project.id):
        outcomes = answered.get(task.id, [])
        leak = leaks.get(task.id)
        rows.append(
            GoldRow(
                task=task,
                status=statuses.get(task.id, "active" if task.state == "open" else task.state),
                answered=len(outcomes),
                accuracy=float(np.mean(outcomes)) if outcomes else None,
                leak_score=leak.score if leak else None,
                leak_flagged=bool(leak and leak.flagged),
            )
        )
    return rows
