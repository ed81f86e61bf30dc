"""What operations leads do with quality operations: read signals, dismiss, act, revert, release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assay.domain.enums import Role
from assay.errors import Conflict, InvalidInput, NotFound
from assay.services import delivery_gate
from assay.services.actor import Actor
from assay.services.projects import load_project
from assay.services.quality_actions import APPLIERS, revert
from assay.services.quality_data import skill_key
from assay.services.quality_policy import policy_for
from assay.services.tasks import load_task
from assay.store import Session
from assay.store import quality_gate as gate_store
from assay.store import quality_ops as store
from assay.store.audit import insert_audit_event
from assay.store.base import utcnow
from assay.store.models import Project, Task
from assay.store.models.quality_ops import (
    QualityAction,
    QualityAlarm,
    QualitySignal,
    TaskGate,
    WorkerSkillEstimate,
)
from assay.store.workforce import list_gold_misses, list_workers


def list_signals(
    session: Session,
    actor: Actor,
    project_id: str,
    *,
    status: str | None = None,
    kind: str | None = None,
    worker_id: str | None = None,
    flagged_only: bool = False,
) -> list[QualitySignal]:
    """Return a project's detector verdicts, worst first."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return store.list_signals(
        session,
        project.id,
        status=status,
        kind=kind,
        worker_id=worker_id,
        flagged_only=flagged_only,
    )


def _signal(session: Session, actor: Actor, signal_id: str) -> tuple[QualitySignal, Project]:
    actor.require(Role.REQUESTER)
    signal = store.get_signal_by_id(session, actor.org_id, signal_id)
    if signal is None:
        raise NotFound(f"No signal {signal_id!r} in this organisation.")
    return signal, load_project(session, actor, signal.project_id)


def dismiss_signal(session: Session, actor: Actor, signal_id: str, reason: str) -> QualitySignal:
    """Mark a signal as reviewed and not a problem (audited); commits."""
    signal, _project = _signal(session, actor, signal_id)
    before = signal.status
    signal.status, signal.reviewed_by, signal.updated_at = "dismissed", actor.label, utcnow()
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="quality.dismiss",
        object_type="signal",
        object_id=signal.id,
        before={"status": before},
        after={"status": "dismissed", "reason": reason[:500]},
    )
    session.commit()
    return signal


def act_on_signal(session: Session, actor: Actor, signal_id: str, kind: str) -> QualityAction:
    """Apply one action to a signal's subject by hand (audited); commits."""
    signal, project = _signal(session, actor, signal_id)
    if kind not in APPLIERS:
        raise InvalidInput(f"Unknown action {kind!r}; choose from {sorted(APPLIERS)}.")
    targets = (
        [signal.subject_id]
        if kind in ("flag", "retire_gold")
        else [w for w in (signal.worker_id, signal.other_worker_id) if w]
    )
    taken = [
        APPLIERS[kind](session, project, t, signal, policy_for(session, project)) for t in targets
    ]
    done = [a for a in taken if a is not None]
    if not done:
        raise Conflict("Nothing to do: the action is already in effect.")
    for action in done:
        action.actor, action.automatic = actor.label, False
    if kind != "flag":
        signal.status = "actioned"
    session.commit()
    return done[0]


def list_actions(
    session: Session, actor: Actor, project_id: str, target_id: str | None = None
) -> list[QualityAction]:
    """Return a project's quality actions, newest first (reverted ones included)."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return store.list_actions(session, project.id, target_id=target_id)


def revert_action(session: Session, actor: Actor, action_id: str, reason: str) -> QualityAction:
    """Undo an action exactly (an operations lead's decision, audited); commits."""
    actor.require(Role.REQUESTER)
    action = store.get_action(session, actor.org_id, action_id)
    if action is None:
        raise NotFound(f"No quality action {action_id!r} in this organisation.")
    project = load_project(session, actor, action.project_id)
    revert(session, project, action, actor.label, reason)
    session.commit()
    return action


@dataclass(frozen=True)
class GateView:
    """Why a task is (not yet) delivered."""

    task: Task
    project: Project
    gate: TaskGate | None
    state: str
    reasons: list[str]


def explain_task_gate(session: Session, actor: Actor, task_id: str) -> GateView:
    """Where a task stands at the delivery gate, in words a requester can act on."""
    actor.require(Role.REQUESTER)
    task = load_task(session, actor, task_id)
    project = load_project(session, actor, task.project_id)
    gate = gate_store.get_gate(session, task.id)
    if project.quality_target is None:
        return GateView(task, project, gate, "no_gate", ["the project has no accuracy target"])
    if gate is None:
        counted = f"{task.response_count} of {task.redundancy} responses so far"
        return GateView(task, project, None, "collecting", [counted])
    return GateView(task, project, gate, gate.status, list(gate.reasons))


def release_task(
    session: Session, actor: Actor, task_id: str, reason: str, answer: dict[str, Any] | None
) -> GateView:
    """Deliver a held or escalated task on an expert's decision (audited); commits."""
    actor.require(Role.REQUESTER)
    task = load_task(session, actor, task_id)
    project = load_project(session, actor, task.project_id)
    if project.quality_target is None:
        raise Conflict("This project has no delivery gate; its tasks deliver at completion.")
    if task.state not in ("complete", "open"):
        raise Conflict(f"This task is {task.state}; only held tasks can be released.")
    gate = delivery_gate.release_held_task(
        session, project, task, actor.label, reason or "released by a lead", answer
    )
    session.commit()
    return GateView(task, project, gate, gate.status, list(gate.reasons))


def list_held_tasks(session: Session, actor: Actor, project_id: str) -> list[TaskGate]:
    """Tasks the gate holds (buying, escalated, waiting for review, re-queued)."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return gate_store.list_gates(session, project.id, statuses=delivery_gate.HELD_STATUSES)


def worker_estimates(session: Session, actor: Actor, worker_id: str) -> list[WorkerSkillEstimate]:
    """Return a worker's skill estimates (operations, or the worker themselves)."""
    if actor.role in (Role.WORKER, Role.REVIEWER) and actor.worker_id != worker_id:
        raise NotFound(f"No worker {worker_id!r} visible to this key.")
    return store.list_estimates(session, actor.org_id, worker_id=worker_id)


def project_estimates(session: Session, actor: Actor, project_id: str) -> list[WorkerSkillEstimate]:
    """Every worker's estimates on a project's skill."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return store.list_estimates(session, actor.org_id, skill=skill_key(project))


def list_alarms(
    session: Session, actor: Actor, project_id: str, status: str | None = None
) -> list[QualityAlarm]:
    """Return a project's process-control alarms."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return store.list_alarms(session, project.id, status=status)


def resolve_alarm(session: Session, actor: Actor, alarm_id: str, note: str) -> QualityAlarm:
    """Close an alarm; its chart restarts from now (audited). Commits."""
    actor.require(Role.REQUESTER)
    alarm = store.get_alarm(session, actor.org_id, alarm_id)
    if alarm is None:
        raise NotFound(f"No alarm {alarm_id!r} in this organisation.")
    if alarm.status == "resolved":
        raise Conflict("This alarm is already resolved.")
    alarm.status, alarm.resolved_at, alarm.resolved_by = "resolved", utcnow(), actor.label
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="quality.alarm.resolve",
        object_type="alarm",
        object_id=alarm.id,
        after={"note": note[:500]},
    )
    session.commit()
    return alarm


def worker_signals(session: Session, actor: Actor, worker_id: str) -> list[QualitySignal]:
    """Every signal about a worker (operations)."""
    actor.require(Role.REQUESTER)
    return store.list_worker_signals(session, actor.org_id, worker_id)


def worker_actions(session: Session, actor: Actor, worker_id: str) -> list[QualityAction]:
    """Every quality action taken on a worker across the organisation's projects."""
    actor.require(Role.REQUESTER)
    return store.list_worker_actions(session, actor.org_id, worker_id)


@dataclass(frozen=True)
class GoldMissRow:
    """A worker's wrong answer on a gold task."""

    task_id: str
    unique_id: str
    answer: dict[str, Any]
    expected: dict[str, Any]
    answered_at: datetime


def worker_gold_misses(session: Session, actor: Actor, worker_id: str) -> list[GoldMissRow]:
    """Return a worker's gold misses, newest first (operations)."""
    actor.require(Role.REQUESTER)
    return [
        GoldMissRow(
            task.id, task.unique_id, response.answer, task.gold_answer or {}, response.created_at
        )
        for response, task in list_gold_misses(session, actor.org_id, worker_id)
    ]


def worker_handles(session: Session, actor: Actor) -> dict[str, str]:
    """Worker id -> handle, to name workers in tables."""
    actor.require(Role.REQUESTER)
    return {w.id: w.handle for w in list_workers(session, actor.org_id)}
