"""A recompute's refresh of a project's results: judged on a snapshot, written in short chunks.

Every result is judged again with the new worker estimates, on a snapshot and outside any
write transaction. The writing happens ``CHUNK`` results per transaction, so a submit waits
for one chunk at most, not for the whole refresh. Other requests keep working between the
snapshot and a chunk's write, so each chunk first reads its tasks again:

* a task whose accepted responses changed since the snapshot (a submit, a review, an
  exclusion) is judged again from its current ones: no result is written from responses that
  are no longer the task's. (An accepted response's answer never changes: a reviewer's edit
  lands before the response is accepted, so the ids of the accepted responses say it all.)
* whether a result is delivered is decided on the current state: a result delivered in the
  meantime keeps its answer (its re-score goes beside it, see ``delivered_results``); a
  result the gate holds is rewritten from the task's current responses.
* a delivered result whose re-score moved less than ``RESCORE_TOLERANCE`` from the one kept
  beside it is left alone. Nearly every estimate moves a little on every run; rewriting every
  delivered result each time would be most of a recompute's writing, for a figure that is
  only shown to operations.

Tasks held at the delivery gate are then re-decided ``HELD_CHUNK`` per transaction, each read
again (and skipped if it was decided meanwhile).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from assay.services import delivered_results, delivery_gate
from assay.services.delivered_results import RESCORE_KEY, SIGNAL_KIND
from assay.services.delivery_gate import GateContext, Judgement
from assay.services.quality_data import CategoricalQuestion, ProjectData, answer_of, class_of
from assay.services.quality_policy import Policy
from assay.services.recompute_steps import yield_to_writers
from assay.store import Session
from assay.store import quality_gate as gate_store
from assay.store import recompute as store
from assay.store import tasks as task_store
from assay.store.engine import snapshot_session
from assay.store.models import Response, Result, Task
from assay.store.preloads import preloaded_signals

CHUNK = 50
HELD_CHUNK = 20
HELD_LIMIT = 1000  # held tasks re-decided per run, most recently changed first
RESCORE_TOLERANCE = 0.005


@dataclass(frozen=True)
class PlannedResult:
    """A result to write, judged on the snapshot from the accepted responses in ``basis``."""

    task_id: str
    basis: frozenset[str]
    judged: Judgement | None


@dataclass
class ResultsOutcome:
    """What the refresh did to the project's results and gates."""

    updated: int = 0  # undelivered results rewritten
    delivered_kept: int = 0  # delivered results re-scored beside, not changed
    delivered_differing: int = 0  # ... whose re-score now gives another answer (flagged)
    gates: dict[str, int] = field(default_factory=dict)


def refresh_results(
    session: Session, data: ProjectData, accuracy: dict[str, float], policy: Policy
) -> ResultsOutcome:
    """Re-score the project's results and re-decide its held tasks; commits as it goes.

    ``session`` must have no transaction open: every chunk is its own.
    """
    outcome = ResultsOutcome()
    context, plans = _plan(session, data, accuracy, policy, outcome)
    for start in range(0, len(plans), CHUNK):
        _write_chunk(session, context, plans[start : start + CHUNK], outcome)
        session.commit()
        yield_to_writers()
    if data.project.quality_target is not None:
        _redecide_held(session, context)
        with snapshot_session(session) as reader:
            statuses = gate_store.gate_statuses(reader, data.project.id)
        outcome.gates = dict(Counter(statuses.values()))
    return outcome


def _plan(
    session: Session,
    data: ProjectData,
    accuracy: dict[str, float],
    policy: Policy,
    outcome: ResultsOutcome,
) -> tuple[GateContext, list[PlannedResult]]:
    """Judge every result on a snapshot; return the ones worth writing."""
    project = data.project
    accepted: dict[str, list[Response]] = defaultdict(list)
    for response in data.responses:
        if response.status == "accepted":
            accepted[response.task_id].append(response)
    plans: list[PlannedResult] = []
    with snapshot_session(session) as reader:
        context = delivery_gate.load_context(
            reader, project, accuracy=dict(accuracy), weights=data.weights
        )
        context.policy = policy
        judge = _Judge(reader, context)
        gate_statuses = gate_store.gate_statuses(reader, project.id)
        for result, rescore in store.list_results_to_rescore(reader, project.id, RESCORE_KEY):
            task = data.tasks.get(result.task_id)
            if task is None or task.is_gold:
                continue
            responses = accepted[task.id]
            judged = judge(responses)
            gate = gate_statuses.get(task.id)
            if delivered_results.is_delivered(task, result, gate) and _unmoved(
                result, rescore, context.question, judged
            ):
                outcome.delivered_kept += 1
                outcome.delivered_differing += bool(rescore["differs"])
                continue
            plans.append(PlannedResult(task.id, frozenset(r.id for r in responses), judged))
    return context, plans


class _Judge:
    """Judges tasks for one run, once per distinct set of (answer, worker) pairs.

    A judgement depends on nothing else within a run, and many tasks share one (every
    single-answer task of a worker giving the same label, in a redundancy-1 project).
    """

    def __init__(self, session: Session, context: GateContext) -> None:
        self._session, self._context = session, context
        self._known: dict[tuple[tuple[str, str], ...], Judgement | None] = {}

    def __call__(self, responses: list[Response]) -> Judgement | None:
        question = self._context.question
        if question is None:
            return None
        key = tuple(sorted((str(class_of(question, answer_of(r))), r.worker_id) for r in responses))
        if key not in self._known:
            self._known[key] = delivery_gate.judge_task(self._session, self._context, responses)
        return self._known[key]


def _unmoved(
    result: Result,
    rescore: dict[str, Any] | None,
    question: CategoricalQuestion | None,
    judged: Judgement | None,
) -> bool:
    """Whether the re-score kept beside a delivered result still stands, within tolerance."""
    if question is None or judged is None or not rescore:
        return False
    winner = max(range(len(judged.posterior)), key=lambda k: judged.posterior[k])
    differs = class_of(question, result.answer) != winner
    return (
        rescore.get("answer") == {question.name: question.classes[winner]}
        and rescore.get("differs") == differs
        and abs(float(rescore.get("confidence", -1.0)) - judged.confidence) < RESCORE_TOLERANCE
        and abs(float(rescore.get("raw_confidence", -1.0)) - judged.raw) < RESCORE_TOLERANCE
    )


@dataclass
class _Current:
    """A chunk's tasks as they are now, read inside the chunk's write transaction."""

    tasks: dict[str, Task]
    results: dict[str, Result]
    delivered: dict[str, bool]  # task id -> delivered now (tasks with a task and a result)
    again: set[str]  # tasks judged again: held by the gate, or whose responses changed
    responses: dict[str, list[Response]]  # the accepted responses of the tasks in ``again``


def _read_current(session: Session, chunk: list[PlannedResult]) -> _Current:
    ids = [plan.task_id for plan in chunk]
    tasks = store.tasks_by_id(session, ids)
    results = store.results_of_tasks(session, ids)
    gates = store.gate_statuses_of_tasks(session, ids)
    bases = store.accepted_response_ids(session, ids)
    delivered = {
        task_id: delivered_results.is_delivered(
            tasks[task_id], results[task_id], gates.get(task_id)
        )
        for task_id in ids
        if task_id in tasks and task_id in results
    }
    again = {
        plan.task_id
        for plan in chunk
        if plan.task_id in delivered
        and (not delivered[plan.task_id] or bases.get(plan.task_id, frozenset()) != plan.basis)
    }
    # The responses themselves are read only where the snapshot's judgement cannot be used.
    return _Current(tasks, results, delivered, again, store.accepted_responses(session, again))


def _write_chunk(
    session: Session, context: GateContext, chunk: list[PlannedResult], outcome: ResultsOutcome
) -> None:
    current = _read_current(session, chunk)
    ids = [plan.task_id for plan in chunk]
    with preloaded_signals(session, context.project.id, kinds=[SIGNAL_KIND], subject_ids=ids):
        for plan in chunk:
            _write_one(session, context, plan, current, outcome)


def _write_one(
    session: Session,
    context: GateContext,
    plan: PlannedResult,
    current: _Current,
    outcome: ResultsOutcome,
) -> None:
    task_id = plan.task_id
    if task_id not in current.delivered:
        return  # the task or its result is gone
    task, result = current.tasks[task_id], current.results[task_id]
    responses = current.responses.get(task_id, [])
    if not current.delivered[task_id]:
        if delivery_gate.update_result(session, context, task, responses) is not None:
            outcome.updated += 1
        return
    judged = plan.judged
    if task_id in current.again:
        judged = delivery_gate.judge_task(session, context, responses)
    question = context.question
    if judged is None or question is None:
        return
    outcome.delivered_kept += 1
    outcome.delivered_differing += delivered_results.record_rescore(
        session, context.project, task, result, question, judged
    )


def _redecide_held(session: Session, context: GateContext) -> None:
    """Re-decide the tasks the gate holds with the new estimates, a few per transaction."""
    project = context.project
    with snapshot_session(session) as reader:
        held = store.held_gate_task_ids(
            reader, project.id, delivery_gate.HELD_STATUSES, limit=HELD_LIMIT
        )
    for start in range(0, len(held), HELD_CHUNK):
        # The gate reads the task's responses, result and gate through the session: whatever
        # it still holds from earlier transactions is read again, not taken as it was.
        store.forget_loaded_work(session)
        for task_id in held[start : start + HELD_CHUNK]:
            _redecide(session, context, task_id)
        session.commit()
        yield_to_writers()


def _redecide(session: Session, context: GateContext, task_id: str) -> None:
    task = task_store.get_task_for_update(session, task_id)
    gate = store.gate_of_task(session, task_id)
    if task is None or gate is None or gate.status not in delivery_gate.HELD_STATUSES:
        return  # gone, or decided since the snapshot
    if task.state == "complete":
        delivery_gate.decide_task(session, context, task)
    elif gate.status == "buying":
        delivery_gate.revisit_purchase(session, context, task, gate)
