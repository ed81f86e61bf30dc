"""Actions by policy, and their reversal: flag, down-weight, pause, exclude and re-queue.

Nothing is deleted: excluded responses keep their row with status ``excluded``, a paused
worker keeps their history, and each action stores the state it changed so an operations lead
can revert it exactly (``revert_action``). Every action and every reversal is in the audit log.
An action a lead reverted is never re-applied automatically to the same target.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from assay.errors import Conflict, NotFound
from assay.services.delivery_gate import gate_completed_task, release_held_task
from assay.services.gold_lifecycle import restore_gold_task, retire_gold_task
from assay.services.quality_audit import record_action
from assay.services.quality_policy import WORKER_ACTIONS, Policy
from assay.services.results import aggregate_result
from assay.services.tasks import project_template
from assay.services.webhooks import enqueue_result_delivery
from assay.store import Session
from assay.store import organisations as org_store
from assay.store import projects as project_store
from assay.store import quality_gate as gate_store
from assay.store import quality_ops as store
from assay.store import tasks as task_store
from assay.store import work as work_store
from assay.store.audit import insert_audit_event
from assay.store.base import utcnow
from assay.store.models import Project, Response, Task
from assay.store.models.quality_ops import QualityAction, QualitySignal

Applier = Callable[[Session, Project, str, QualitySignal, Policy], QualityAction | None]


def pause_worker(
    session: Session,
    project: Project,
    worker_id: str,
    reason: str,
    *,
    kind: str = "pause_worker",
    signal_id: str | None = None,
    alarm_id: str | None = None,
) -> QualityAction | None:
    """Pause a worker (no new tasks anywhere) until a lead reverts it; None if not working."""
    worker = org_store.get_worker(session, project.org_id, worker_id)
    if worker is None or worker.status in ("paused", "removed"):
        return None
    before = worker.status
    worker.status = "paused"
    return record_action(
        session,
        project,
        kind=kind,
        target_type="worker",
        target_id=worker_id,
        reason=reason,
        signal_id=signal_id,
        alarm_id=alarm_id,
        details={"status_before": before},
    )


def _pause_worker(
    session: Session, project: Project, worker_id: str, signal: QualitySignal, policy: Policy
) -> QualityAction | None:
    return pause_worker(
        session, project, worker_id, f"{signal.kind} score {signal.score:.2f}", signal_id=signal.id
    )


def _downweight(
    session: Session, project: Project, worker_id: str, signal: QualitySignal, policy: Policy
) -> QualityAction | None:
    weight = policy.number("downweight")
    current = store.get_weights(session, project.id).get(worker_id, 1.0)
    if current <= weight:
        return None
    before = store.set_weight(
        session, org_id=project.org_id, project_id=project.id, worker_id=worker_id, weight=weight
    )
    return record_action(
        session,
        project,
        kind="downweight",
        target_type="worker",
        target_id=worker_id,
        reason=f"{signal.kind} score {signal.score:.2f}",
        signal_id=signal.id,
        details={"weight_before": before, "weight": weight},
    )


def exclude_responses(
    session: Session,
    project: Project,
    worker_id: str,
    reason: str,
    *,
    signal_id: str | None = None,
    actor: str | None = None,
) -> QualityAction | None:
    """Exclude a worker's counted responses on regular tasks and re-queue those tasks."""
    tasks: dict[str, Task] = {}
    statuses: dict[str, str] = {}
    for response in store.list_project_responses(session, project.id):
        if response.worker_id != worker_id or response.status not in ("accepted", "in_review"):
            continue
        task = task_store.get_task(session, project.org_id, response.task_id)
        if task is None or task.is_gold:
            continue
        statuses[response.id] = response.status
        tasks[task.id] = task
    if not statuses:
        return None
    store.set_response_statuses(session, dict.fromkeys(statuses, "excluded"))
    before = _requeue(session, tasks, statuses, worker_id)
    extra = {} if actor is None else {"actor": actor}
    return record_action(
        session,
        project,
        kind="exclude_responses",
        target_type="worker",
        target_id=worker_id,
        reason=reason,
        signal_id=signal_id,
        details={"responses": statuses, "tasks": before},
        **extra,
    )


def _requeue(
    session: Session, tasks: dict[str, Task], statuses: dict[str, str], worker_id: str
) -> dict[str, dict[str, Any]]:
    """Give each affected task back the slots its excluded responses used; reopen it."""
    removed: dict[str, list[str]] = defaultdict(list)
    for response in store.list_project_responses(session, next(iter(tasks.values())).project_id):
        if response.id in statuses:
            removed[response.task_id].append(statuses[response.id])
    before: dict[str, dict[str, Any]] = {}
    for task_id, task in tasks.items():
        before[task_id] = {
            "state": task.state,
            "open_slots": task.open_slots,
            "response_count": task.response_count,
        }
        if task.state == "cancelled":
            continue
        task.response_count -= sum(1 for s in removed[task_id] if s == "accepted")
        task.open_slots += len(removed[task_id])
        if task.state in ("complete", "delivered"):
            task.state, task.completed_at = "open", None
            gate = gate_store.get_gate(session, task_id)
            if gate is not None:
                gate.status, gate.reasons = "requeued", [f"responses of {worker_id} excluded"]
    session.flush()
    return before


def _exclude(
    session: Session, project: Project, worker_id: str, signal: QualitySignal, policy: Policy
) -> QualityAction | None:
    return exclude_responses(
        session, project, worker_id, f"{signal.kind} score {signal.score:.2f}", signal_id=signal.id
    )


def _flag(
    session: Session, project: Project, target: str, signal: QualitySignal, policy: Policy
) -> QualityAction | None:
    return record_action(
        session,
        project,
        kind="flag",
        target_type=signal.subject_type,
        target_id=signal.subject_id,
        signal_id=signal.id,
        reason=f"{signal.kind} score {signal.score:.2f} needs a person's review",
    )


def _retire_gold(
    session: Session, project: Project, task_id: str, signal: QualitySignal, policy: Policy
) -> QualityAction | None:
    return retire_gold_task(session, project, task_id, f"{signal.kind}: leaked", signal.id)


APPLIERS: dict[str, Applier] = {
    "flag": _flag,
    "pause_worker": _pause_worker,
    "downweight": _downweight,
    "exclude_responses": _exclude,
    "retire_gold": _retire_gold,
}


def _targets(signal: QualitySignal, kind: str) -> list[str]:
    if kind == "flag":
        return [signal.subject_id]
    if kind in WORKER_ACTIONS:
        return [w for w in (signal.worker_id, signal.other_worker_id) if w]
    return [signal.subject_id] if signal.subject_type == "gold" else []


def _blocked(session: Session, project: Project, kind: str, target: str) -> bool:
    """Whether the action was taken before and still stands, or was reverted by a lead."""
    earlier = store.find_actions(session, project.id, kind, target)
    if any(a.reverted_at is not None for a in earlier):
        return True
    return bool(earlier) and kind != "exclude_responses"


def apply_policy(
    session: Session, project: Project, policy: Policy, flagged: list[QualitySignal]
) -> list[QualityAction]:
    """Apply the policy's actions to each open flagged signal (once per target and kind)."""
    if not policy.settings.get("automatic_actions", True):
        return []
    taken: list[QualityAction] = []
    for signal in flagged:
        for kind in policy.actions_for(signal.kind):
            for target in _targets(signal, kind):
                if _blocked(session, project, kind, target):
                    continue
                action = APPLIERS[kind](session, project, target, signal, policy)
                if action is not None:
                    taken.append(action)
                    if kind != "flag":
                        signal.status = "actioned"
    session.flush()
    return taken


def revert(
    session: Session, project: Project, action: QualityAction, actor: str, reason: str
) -> None:
    """Undo an action from the state it stored; flushes. Conflict if it cannot be undone."""
    if action.reverted_at is not None:
        raise Conflict("This action was already reverted.")
    handler = REVERTERS.get(action.kind)
    if handler is None:
        raise Conflict(f"A {action.kind} action cannot be reverted (its effect already left).")
    handler(session, project, action, actor)
    action.reverted_at, action.reverted_by, action.revert_reason = utcnow(), actor, reason[:2000]
    insert_audit_event(
        session,
        org_id=project.org_id,
        actor=actor,
        action="quality.revert",
        object_type=action.target_type,
        object_id=action.target_id,
        before={"action_id": action.id, "kind": action.kind},
        after={"reason": reason[:500]},
    )
    session.flush()


def _revert_flag(session: Session, project: Project, action: QualityAction, actor: str) -> None:
    if action.signal_id:
        signal = store.get_signal_by_id(session, project.org_id, action.signal_id)
        if signal is not None:
            signal.status, signal.reviewed_by = "dismissed", actor


def _revert_pause(session: Session, project: Project, action: QualityAction, actor: str) -> None:
    worker = org_store.get_worker(session, project.org_id, action.target_id)
    if worker is None:
        raise NotFound("The worker no longer exists.")
    if worker.status == "paused":
        worker.status = str(action.details.get("status_before", "active"))


def _revert_weight(session: Session, project: Project, action: QualityAction, actor: str) -> None:
    store.set_weight(
        session,
        org_id=project.org_id,
        project_id=project.id,
        worker_id=action.target_id,
        weight=float(action.details.get("weight_before", 1.0)),
    )


def _revert_exclusion(
    session: Session, project: Project, action: QualityAction, actor: str
) -> None:
    statuses: dict[str, str] = dict(action.details.get("responses", {}))
    store.set_response_statuses(session, statuses)
    for task_id in action.details.get("tasks", {}):
        task = task_store.get_task_for_update(session, task_id)
        if task is not None and task.state != "cancelled":
            recount_task(session, project, task)


def recount_task(session: Session, project: Project, task: Task) -> None:
    """Set a task's counts from its accepted responses; complete it when it has enough."""
    responses = work_store.list_task_responses(session, task.id)
    accepted = [r for r in responses if r.status == "accepted"]
    in_review = sum(1 for r in responses if r.status == "in_review")
    task.response_count = len(accepted)
    leases = store.count_active_leases(session, task.id, utcnow())
    if task.state == "open":
        task.open_slots = max(task.redundancy - len(accepted) - in_review - leases, 0)
        if len(accepted) >= task.redundancy:
            complete_task(session, project, task, responses)


def complete_task(
    session: Session, project: Project, task: Task, responses: list[Response]
) -> None:
    """Complete a task outside a submit (after a reversal), then deliver or gate it."""
    task.state, task.completed_at = "complete", utcnow()
    result = aggregate_result(
        project_template(project), task.id, task.org_id, project.id, responses
    )
    work_store.save_result(session, result)
    if project.quality_target is None:
        enqueue_result_delivery(session, project, task.id)
    else:
        gate_completed_task(session, project, task)


def _revert_buy(session: Session, project: Project, action: QualityAction, actor: str) -> None:
    task = task_store.get_task_for_update(session, action.target_id)
    if task is None:
        raise NotFound("The task no longer exists.")
    if task.state == "open" and task.open_slots > 0:
        task.redundancy -= 1
        task.open_slots -= 1
    release_held_task(session, project, task, actor, "bought response cancelled by a lead")


def _revert_escalation(
    session: Session, project: Project, action: QualityAction, actor: str
) -> None:
    task = task_store.get_task_for_update(session, action.target_id)
    if task is None:
        raise NotFound("The task no longer exists.")
    release_held_task(session, project, task, actor, "escalation closed by a lead")


def _revert_retire(session: Session, project: Project, action: QualityAction, actor: str) -> None:
    restore_gold_task(session, project, action.target_id)


def pause_batch(
    session: Session, project: Project, batch_id: str, reason: str, alarm_id: str | None = None
) -> QualityAction | None:
    """Take a batch's open tasks out of the queue (state ``paused``); None if nothing to pause."""
    batch = project_store.get_batch(session, project.org_id, batch_id)
    if batch is None or batch.status == "paused":
        return None
    tasks = store.list_open_batch_tasks(session, batch_id)
    before = batch.status
    batch.status = "paused"
    for task in tasks:
        task.state = "paused"
    return record_action(
        session,
        project,
        kind="pause_batch",
        target_type="batch",
        target_id=batch_id,
        reason=reason,
        alarm_id=alarm_id,
        details={"status_before": before, "tasks": [t.id for t in tasks]},
    )


def _revert_batch(session: Session, project: Project, action: QualityAction, actor: str) -> None:
    batch = project_store.get_batch(session, project.org_id, action.target_id)
    if batch is not None and batch.status == "paused":
        batch.status = str(action.details.get("status_before", "open"))
    for task_id in action.details.get("tasks", []):
        task = task_store.get_task_for_update(session, task_id)
        if task is not None and task.state == "paused":
            task.state = "open"
            recount_task(session, project, task)


REVERTERS: dict[str, Callable[[Session, Project, QualityAction, str], None]] = {
    "flag": _revert_flag,
    "pause_worker": _revert_pause,
    "quarantine_worker": _revert_pause,
    "downweight": _revert_weight,
    "exclude_responses": _revert_exclusion,
    "buy_response": _revert_buy,
    "escalate": _revert_escalation,
    "retire_gold": _revert_retire,
    "pause_batch": _revert_batch,
}
