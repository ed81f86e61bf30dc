"""The per-project ``quality.recompute`` job: score, detect, act, calibrate, gate, watch.

A submit enqueues the job (one pending per project, a few seconds later, so a burst of submits
is handled by one run). One run, in one transaction:

1. truth inference (Dawid-Skene) and every worker-skill model, estimates stored (per project,
   and each required skill pooled across the organisation's projects);
2. the detectors; the policy's actions on new flags (exclusions re-queue tasks); if anything
   was excluded or re-weighted, truth inference runs again without it;
3. the confidence calibration on gold; every undelivered result's answer and calibrated
   confidence (a delivered one keeps its own; the re-score is kept beside it and a changed
   answer is flagged, see ``delivered_results``);
4. the delivery gate for tasks held, buying or escalated; process-control charts;
5. experiment upkeep (new units assigned, variant pay).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from assay.domain.enums import Role
from assay.errors import NotFound
from assay.services import delivered_results, delivery_gate
from assay.services.actor import Actor
from assay.services.confidence import fit_project_calibration
from assay.services.experiments import run_experiment_upkeep
from assay.services.gold_lifecycle import detect_distinguishable_gold, detect_gold_leaks
from assay.services.jobs import register_handler
from assay.services.pooled_skills import update_pooled_skills
from assay.services.projects import load_project
from assay.services.quality_actions import apply_policy
from assay.services.quality_data import ProjectData, load_project_data
from assay.services.quality_policy import Policy, policy_for
from assay.services.quality_scoring import Scoring, score_workers
from assay.services.quality_signals import run_detectors
from assay.services.spc import evaluate_spc
from assay.store import Session
from assay.store import projects as project_store
from assay.store import quality_gate as gate_store
from assay.store import quality_ops as quality_store
from assay.store import tasks as task_store
from assay.store.base import utcnow
from assay.store.models import Project, Response

JOB_KIND = "quality.recompute"
DELAY_SECONDS = 5.0


def schedule_recompute(session: Session, project: Project) -> None:
    """Enqueue the project's recompute in the caller's transaction (deduplicated; flushes)."""
    if project.kind != "standard":
        return
    quality_store.enqueue_job_once(
        session,
        org_id=project.org_id,
        kind=JOB_KIND,
        payload={"project_id": project.id},
        dedupe_key=f"{JOB_KIND}:{project.id}",
        run_after=utcnow() + timedelta(seconds=DELAY_SECONDS),
    )


def install_quality_jobs() -> None:
    """Register the recompute handler with the job runner (call once at start-up)."""
    register_handler(JOB_KIND, _handle)


def _handle(session: Session, org_id: str, payload: dict[str, Any]) -> None:
    project = project_store.get_project(session, org_id, str(payload["project_id"]))
    if project is None:
        return  # the project is gone; nothing to do
    recompute_project(session, project)


@dataclass
class RecomputeReport:
    """What one recompute found and did."""

    responses: int = 0
    workers_scored: int = 0
    new_flags: int = 0
    actions: list[str] = field(default_factory=list)
    alarms: int = 0
    results_updated: int = 0
    delivered_kept: int = 0  # delivered results re-scored beside, not changed
    delivered_differing: int = 0  # ... whose re-score now gives another answer (flagged)
    gates: dict[str, int] = field(default_factory=dict)
    calibration_samples: int = 0


def run_recompute(session: Session, actor: Actor, project_id: str) -> RecomputeReport:
    """Recompute a project now (operations); commits."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return recompute_project(session, project)


def recompute_project(session: Session, project: Project) -> RecomputeReport:
    """Run every quality step over the project and commit once."""
    policy = policy_for(session, project)
    report = RecomputeReport()
    run_experiment_upkeep(session, project)
    data = load_project_data(session, project)
    scoring = score_workers(session, data, policy.number("default_accuracy"))
    flagged = run_detectors(
        session,
        data,
        scoring,
        min_gold_accuracy=policy.number("min_gold_accuracy"),
        extra=detect_gold_leaks(data) + detect_distinguishable_gold(data),
    )
    actions = apply_policy(session, project, policy, flagged)
    if any(a.kind in ("exclude_responses", "downweight") for a in actions):
        data = load_project_data(session, project)
        scoring = score_workers(session, data, policy.number("default_accuracy"))
    update_pooled_skills(session, project, scoring.gold.keys())
    report.alarms = len(evaluate_spc(session, data, scoring, policy))
    calibration = fit_project_calibration(session, data, scoring)
    report.calibration_samples = calibration.samples if calibration else 0
    _refresh_results(session, data, scoring, policy, report)
    report.responses, report.workers_scored = len(data.responses), len(scoring.accuracy)
    report.new_flags, report.actions = len(flagged), [a.kind for a in actions]
    session.commit()
    return report


def _refresh_results(
    session: Session, data: ProjectData, scoring: Scoring, policy: Policy, report: RecomputeReport
) -> None:
    """Update undelivered results from the new estimates; re-decide the gate's held tasks.

    Delivered results keep their answer and confidence; the re-score is kept beside them.
    """
    project = data.project
    context = delivery_gate.load_context(
        session, project, accuracy=dict(scoring.accuracy), weights=data.weights
    )
    context.policy = policy
    accepted: dict[str, list[Response]] = defaultdict(list)
    for response in data.responses:
        if response.status == "accepted":
            accepted[response.task_id].append(response)
    gate_statuses = gate_store.gate_statuses(session, project.id)
    for result in gate_store.list_results(session, project.id):
        task = data.tasks.get(result.task_id)
        if task is None or task.is_gold:
            continue
        if not delivered_results.is_delivered(task, result, gate_statuses.get(task.id)):
            if delivery_gate.update_result(session, context, task, accepted[task.id]) is not None:
                report.results_updated += 1
            continue
        judged = delivery_gate.judge_task(session, context, accepted[task.id])
        if judged is not None and context.question is not None:
            report.delivered_kept += 1
            differs = delivered_results.record_rescore(
                session, project, task, result, context.question, judged
            )
            report.delivered_differing += differs
    report.gates = _redecide_held(session, context)
    session.flush()


def _redecide_held(session: Session, context: delivery_gate.GateContext) -> dict[str, int]:
    project = context.project
    gates: dict[str, int] = {}
    if project.quality_target is None:
        return gates
    for gate in gate_store.list_gates(session, project.id, statuses=delivery_gate.HELD_STATUSES):
        task = task_store.get_task_for_update(session, gate.task_id)
        if task is not None and task.state == "complete":
            delivery_gate.decide_task(session, context, task)
        elif task is not None and gate.status == "buying":
            delivery_gate.revisit_purchase(session, context, task, gate)
    for gate in gate_store.list_gates(session, project.id):
        gates[gate.status] = gates.get(gate.status, 0) + 1
    return gates


def task_project(session: Session, org_id: str, task_id: str) -> Project:
    """Return the project of a task (for edges that only know the task)."""
    task = task_store.get_task(session, org_id, task_id)
    if task is None:
        raise NotFound(f"No task {task_id!r} in this organisation.")
    project = project_store.get_project(session, org_id, task.project_id)
    assert project is not None
    return project
