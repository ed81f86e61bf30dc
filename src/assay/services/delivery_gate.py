"""The delivery gate: deliver a task only when its calibrated confidence reaches the target.

Projects without a ``quality_target`` deliver at completion, as before. With one, a completed
task's result gets its calibrated confidence (see ``confidence.py``) and then:

* the confidence reaches the target and every review stage is done: it is delivered;
* it does not, and the project's ``max_responses`` leaves room: one more response is bought
  from the best experts available (the new slot only goes to workers whose combined accuracy
  reaches the threshold, checked in the queue's claim), when the library's simulation says the
  target is likely within the remaining budget;
* otherwise the task is escalated to an expert, who decides and releases it.

Every decision is stored with its reasons in ``task_gates``, which is what a requester reads to
see why a task is not delivered yet. Design notes: ``delivery_gate.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from assay.errors import Conflict, NotFound
from assay.quality.signals import delivery_decision
from assay.services.confidence import MIN_GOLD_TASKS, calibrated, posterior_for, raw_target
from assay.services.quality_audit import record_action
from assay.services.quality_data import (
    CategoricalQuestion,
    answer_of,
    categorical_question,
    class_of,
    skill_key,
)
from assay.services.quality_policy import Policy, policy_for
from assay.services.tasks import project_template
from assay.services.webhooks import enqueue_result_delivery
from assay.store import Session, quality_ops
from assay.store import quality_gate as store
from assay.store import work as work_store
from assay.store.base import utcnow
from assay.store.models import Project, Response, Result, Task
from assay.store.models.quality_ops import ConfidenceCalibration, TaskGate

HELD_STATUSES = ("waiting_review", "calibrating", "buying", "escalated", "requeued")
EXPERT_POOL = 3  # the extra slot goes to workers at least as good as the 3rd best available


@dataclass(frozen=True)
class Judgement:
    """A task's posterior over classes and its raw and calibrated confidence."""

    posterior: list[float]
    raw: float
    confidence: float


@dataclass
class GateContext:
    """What every gate decision of a project needs, loaded once."""

    project: Project
    policy: Policy
    calibration: ConfidenceCalibration | None
    question: CategoricalQuestion | None
    accuracy: dict[str, float]
    weights: dict[str, float]

    @property
    def default_accuracy(self) -> float:
        """Accuracy assumed for a worker without an estimate."""
        return self.policy.number("default_accuracy")

    @property
    def class_prior(self) -> list[float] | None:
        """The project's class prior from truth inference, when fitted."""
        if self.calibration is None:
            return None
        prior = self.calibration.points.get("class_prior")
        return list(prior) if prior else None


def load_context(
    session: Session,
    project: Project,
    accuracy: dict[str, float] | None = None,
    weights: dict[str, float] | None = None,
) -> GateContext:
    """Load a project's gate context (estimates from the database unless given)."""
    return GateContext(
        project=project,
        policy=policy_for(session, project),
        calibration=store.get_calibration(session, project.id),
        question=categorical_question(project_template(project)),
        accuracy=accuracy if accuracy is not None else {},
        weights=weights if weights is not None else quality_ops.get_weights(session, project.id),
    )


def gate_completed_task(session: Session, project: Project, task: Task) -> None:
    """Decide a task that just completed in a gated project (called at completion; flushes)."""
    context = load_context(session, project)
    decide_task(session, context, task)


def _latest_per_worker(responses: list[Response]) -> list[Response]:
    latest: dict[str, Response] = {}
    for response in sorted(responses, key=lambda r: (r.created_at, r.id)):
        latest[response.worker_id] = response
    return list(latest.values())


def _gate_row(session: Session, context: GateContext, task: Task) -> TaskGate:
    gate = store.get_gate(session, task.id)
    if gate is None:
        gate = store.add_gate(
            session,
            TaskGate(
                task_id=task.id,
                org_id=task.org_id,
                project_id=task.project_id,
                status="collecting",
                target=float(context.project.quality_target or 0.0),
                reasons=[],
            ),
        )
    return gate


def judge_task(
    session: Session, context: GateContext, responses: list[Response]
) -> Judgement | None:
    """Judge a task from its accepted responses, writing nothing.

    Returns the posterior with its raw and calibrated confidence, or None when the question
    cannot be judged.
    """
    question = context.question
    pairs = [(class_of(question, answer_of(r)), r.worker_id) for r in responses] if question else []
    known = [(code, worker) for code, worker in pairs if code is not None]
    if question is None or not known:
        return None
    if not context.accuracy:
        context.accuracy.update(
            store.accuracies(session, skill_key(context.project), [w for _, w in known])
        )
    posterior = posterior_for(
        [c for c, _ in known],
        [w for _, w in known],
        accuracy=context.accuracy,
        weights=context.weights,
        default_accuracy=context.default_accuracy,
        n_classes=len(question.classes),
        prior=context.class_prior,
    )
    raw = float(posterior.max())
    return Judgement(posterior.tolist(), raw, calibrated(raw, context.calibration))


def update_result(
    session: Session, context: GateContext, task: Task, responses: list[Response]
) -> Judgement | None:
    """Set the result's answer and calibrated confidence from the accepted responses.

    Returns the posterior with its raw and calibrated confidence, or None when the question
    cannot be judged.
    """
    result = work_store.get_result(session, task.id)
    if context.question is None or result is None:
        return None
    judged = judge_task(session, context, responses)
    if judged is None:
        return None
    _write_result(
        result,
        context.question,
        judged.posterior,
        judged.raw,
        judged.confidence,
        [r.id for r in responses],
    )
    return judged


def _write_result(
    result: Result,
    question: CategoricalQuestion,
    posterior: list[float],
    raw: float,
    confidence: float,
    response_ids: list[str],
) -> None:
    winner = max(range(len(posterior)), key=lambda k: posterior[k])
    result.answer = {**result.answer, question.name: question.classes[winner]}
    result.confidence = confidence
    result.details = {
        **result.details,
        "truth_inference": {
            "posterior": dict(zip(question.classes, [round(p, 6) for p in posterior], strict=True)),
            "raw_confidence": raw,
            "calibrated_confidence": confidence,
        },
    }
    result.method, result.method_version = "one_coin_calibrated", "1"
    result.response_ids = response_ids


def decide_task(session: Session, context: GateContext, task: Task) -> TaskGate:
    """Deliver, buy a response, or escalate a completed task; flushes."""
    gate = _gate_row(session, context, task)
    responses = work_store.list_task_responses(session, task.id)
    if any(r.status == "in_review" for r in responses):
        return _set(gate, "waiting_review", ["a response is still in review"])
    accepted = _latest_per_worker([r for r in responses if r.status == "accepted"])
    judged = update_result(session, context, task, accepted)
    target = float(context.project.quality_target or 0.0)
    gate.target = target
    if judged is None:
        return release(session, context.project, task, gate, ["no categorical answer to judge"])
    gate.raw_confidence, gate.confidence = judged.raw, judged.confidence
    if context.calibration is None:
        answers = context.project.redundancy
        workers = f"{answers} worker" if answers == 1 else f"{answers} workers"
        why = (
            f"confidence not calibrated yet: needs {MIN_GOLD_TASKS} gold tasks each answered by"
            f" {workers} or more, and some gold answered right"
        )
        return _set(gate, "calibrating", [why])
    said = f"calibrated confidence {judged.confidence:.3f} vs target {target:.3f}"
    if judged.confidence >= target:
        return release(session, context.project, task, gate, [f"{said}: reached"])
    return _buy_or_escalate(session, context, task, gate, accepted, judged, said)


def _buy_or_escalate(
    session: Session,
    context: GateContext,
    task: Task,
    gate: TaskGate,
    accepted: list[Response],
    judged: Judgement,
    said: str,
) -> TaskGate:
    project = context.project
    cap = project.max_responses or project.redundancy + 2
    remaining = cap - len(accepted)
    if remaining <= 0:
        return escalate(
            session, project, task, gate, [said, f"cost cap of {cap} responses reached"]
        )
    threshold, expert_accuracy = expert_threshold(session, context, {r.worker_id for r in accepted})
    goal = raw_target(gate.target, context.calibration)
    if goal is None or goal >= 0.9999:
        why = "target not reachable at this calibration"
        return escalate(session, project, task, gate, [said, why])
    decision = delivery_decision(judged.posterior, expert_accuracy, goal, budget=remaining)
    if decision.action == "escalate":
        return escalate(session, project, task, gate, [said, *decision.reasons[1:]])
    return buy_response(session, project, task, gate, threshold, [said, *decision.reasons[1:]])


def expert_threshold(
    session: Session, context: GateContext, answered: set[str]
) -> tuple[float | None, float]:
    """Return the accuracy a bought slot needs, and the mean accuracy of those who qualify.

    The slot goes to the best workers available who have not answered the task: those at the
    expert level or, when fewer than ``EXPERT_POOL`` are, the ``EXPERT_POOL`` best, never below
    an unknown worker's assumed accuracy unless nobody is that good; before any estimate
    exists, to anyone (None).
    """
    project = context.project
    pool = [
        (w, a)
        for w, a in store.ranked_workers(session, project.org_id, skill_key(project))
        if w not in answered
    ]
    if not pool:
        return None, context.default_accuracy
    nth_best = pool[min(EXPERT_POOL, len(pool)) - 1][1]
    threshold = min(context.policy.number("expert_accuracy"), nth_best)
    threshold = min(max(threshold, context.default_accuracy), pool[0][1])
    experts = [a for _, a in pool if a >= threshold]
    return threshold, sum(experts) / len(experts)


def _set(gate: TaskGate, status: str, reasons: list[str]) -> TaskGate:
    gate.status, gate.reasons, gate.updated_at = status, reasons, utcnow()
    return gate


def release(
    session: Session,
    project: Project,
    task: Task,
    gate: TaskGate,
    reasons: list[str],
    *,
    actor: str | None = None,
) -> TaskGate:
    """Let the task through: complete it, drop any unfilled bought slot, enqueue its webhook."""
    now = utcnow()
    if task.state == "open":
        task.state, task.completed_at, task.open_slots = "complete", now, 0
    task.min_worker_accuracy = None
    _set(gate, "released", reasons)
    gate.released_at = now
    if actor is not None:
        record_action(
            session,
            project,
            kind="release",
            target_type="task",
            target_id=task.id,
            reason="; ".join(reasons),
            actor=actor,
        )
    session.flush()
    enqueue_result_delivery(session, project, task.id)
    return gate


def escalate(
    session: Session, project: Project, task: Task, gate: TaskGate, reasons: list[str]
) -> TaskGate:
    """Hold the task for an expert's decision (recorded once per task)."""
    if gate.status != "escalated":
        record_action(
            session,
            project,
            kind="escalate",
            target_type="task",
            target_id=task.id,
            reason="; ".join(reasons),
            details={"confidence": gate.confidence},
        )
    if task.state == "open":
        task.state, task.completed_at, task.open_slots = "complete", utcnow(), 0
    task.min_worker_accuracy = None
    return _set(gate, "escalated", reasons)


def buy_response(
    session: Session,
    project: Project,
    task: Task,
    gate: TaskGate,
    threshold: float | None,
    reasons: list[str],
) -> TaskGate:
    """Open one more slot on the task, for workers at least ``threshold`` accurate."""
    before = {"redundancy": task.redundancy, "open_slots": task.open_slots, "state": task.state}
    task.redundancy += 1
    task.open_slots += 1
    task.state, task.completed_at = "open", None
    task.min_worker_accuracy = None if threshold is None else round(threshold, 4)
    gate.extra_responses += 1
    record_action(
        session,
        project,
        kind="buy_response",
        target_type="task",
        target_id=task.id,
        reason="; ".join(reasons),
        details={"before": before, "threshold": threshold},
    )
    who = "any worker" if threshold is None else f"workers at >= {threshold:.2f} accuracy"
    return _set(gate, "buying", [*reasons, f"buying a response from {who}"])


def explain_gate(session: Session, project: Project, task: Task) -> TaskGate | None:
    """Return the task's gate record (None: the task never reached the gate)."""
    if task.project_id != project.id:
        raise NotFound(f"No task {task.id!r} in this project.")
    return store.get_gate(session, task.id)


def release_held_task(
    session: Session,
    project: Project,
    task: Task,
    actor: str,
    reason: str,
    answer: dict[str, object] | None = None,
) -> TaskGate:
    """Deliver a held or escalated task on a person's decision (optionally with their answer)."""
    context = load_context(session, project)
    gate = _gate_row(session, context, task)
    if gate.status == "released":
        raise Conflict("This task was already released for delivery.")
    if answer:
        result = work_store.get_result(session, task.id)
        if result is None:
            raise Conflict("This task has no result yet; it cannot be released.")
        result.answer = {**result.answer, **answer}
        result.details = {**result.details, "decided_by": actor}
        result.method = "expert_decision"
    return release(session, project, task, gate, [reason], actor=actor)


def revisit_purchase(session: Session, context: GateContext, task: Task, gate: TaskGate) -> None:
    """Re-decide a task waiting for a bought response with the new estimates.

    It is released if it already reaches the target; otherwise its open slot is re-priced,
    since the estimates that set the expert threshold have moved (the experts of yesterday's
    estimate may all sit below it today, and the slot would wait forever).
    """
    responses = work_store.list_task_responses(session, task.id)
    accepted = _latest_per_worker([r for r in responses if r.status == "accepted"])
    if task.state == "open" and task.min_worker_accuracy is not None:
        answered = {r.worker_id for r in responses}
        threshold, _ = expert_threshold(session, context, answered)
        task.min_worker_accuracy = None if threshold is None else round(threshold, 4)
    if len(accepted) < task.redundancy - gate.extra_responses or context.calibration is None:
        return
    judged = update_result(session, context, task, accepted)
    if judged is not None and judged.confidence >= gate.target:
        gate.raw_confidence, gate.confidence = judged.raw, judged.confidence
        said = f"calibrated confidence {judged.confidence:.3f} vs target {gate.target:.3f}"
        release(session, context.project, task, gate, [f"{said}: reached with new estimates"])
