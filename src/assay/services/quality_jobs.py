"""The per-project ``quality.recompute`` job: score, detect, act, calibrate, gate, watch.

A submit enqueues the job (one pending per project, a few seconds later, so a burst of submits
is handled by one run). One run:

1. truth inference (Dawid-Skene) and every worker-skill model, estimates stored (per project,
   and each required skill pooled across the organisation's projects);
2. the detectors; the policy's actions on new flags (exclusions re-queue tasks); if anything
   was excluded or re-weighted, truth inference runs again without it;
3. the confidence calibration on gold; every undelivered result's answer and calibrated
   confidence (a delivered one keeps its own; the re-score is kept beside it and a changed
   answer is flagged, see ``delivered_results``);
4. the delivery gate for tasks held, buying or escalated; process-control charts;
5. experiment upkeep (new units assigned, variant pay).

Workers keep submitting while it runs: the project is read on a snapshot, the models are
fitted with no transaction open, and each step's writes commit on their own
(``recompute_steps``); results are written in short chunks that re-check what changed in the
meantime (``result_refresh``). No step holds the write lock for more than its own writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from assay.domain.enums import Role
from assay.errors import NotFound
from assay.services.actor import Actor
from assay.services.confidence import fit_project_calibration
from assay.services.delivered_results import SIGNAL_KIND as DELIVERED_SIGNAL
from assay.services.experiments import run_experiment_upkeep
from assay.services.gold_lifecycle import detect_distinguishable_gold, detect_gold_leaks
from assay.services.jobs import register_handler
from assay.services.pooled_skills import update_pooled_skills
from assay.services.projects import load_project
from assay.services.quality_actions import apply_policy
from assay.services.quality_data import ProjectData, skill_key
from assay.services.quality_policy import Policy, policy_for
from assay.services.quality_scoring import Scoring, score_workers
from assay.services.quality_signals import run_detectors
from assay.services.recompute_steps import commit_step, read_project_data, run_reading_first
from assay.services.result_refresh import refresh_results
from assay.services.spc import evaluate_spc
from assay.store import Session
from assay.store import projects as project_store
from assay.store import quality_ops as quality_store
from assay.store import recompute as recompute_store
from assay.store import tasks as task_store
from assay.store.base import utcnow
from assay.store.engine import snapshot_session
from assay.store.models import Project
from assay.store.models.quality_ops import QualitySignal
from assay.store.preloads import preloaded_estimates, preloaded_signals

JOB_KIND = "quality.recompute"
DELAY_SECONDS = 5.0
# A project's next run starts no sooner than this many times the last run's length after it:
# however large the project grows, its recomputes take at most a fifth of the time.
SPACING = 4.0


# Per project, when a recompute this process saw pending is due. Until then there is no need
# to look again: the job cannot have run, and when it does it reads every submit made before.
_pending_due: dict[str, datetime] = {}
_PENDING_DUE_LIMIT = 10_000


def schedule_recompute(session: Session, project: Project) -> None:
    """Enqueue the project's recompute in the caller's transaction (deduplicated; flushes)."""
    if project.kind != "standard":
        return
    now = utcnow()
    known = _pending_due.get(project.id)
    if known is not None and now < known:
        return
    due = quality_store.enqueue_job_once(
        session,
        org_id=project.org_id,
        kind=JOB_KIND,
        payload={"project_id": project.id},
        dedupe_key=_dedupe_key(project),
        run_after=now + timedelta(seconds=DELAY_SECONDS),
    )
    # Only a job found committed is remembered: one added here rolls back with a failed submit.
    if due is not None:
        if len(_pending_due) > _PENDING_DUE_LIMIT:
            _pending_due.clear()
        _pending_due[project.id] = due


def _dedupe_key(project: Project) -> str:
    return f"{JOB_KIND}:{project.id}"


def install_quality_jobs() -> None:
    """Register the recompute handler with the job runner (call once at start-up)."""
    register_handler(JOB_KIND, _handle)


def _handle(session: Session, org_id: str, payload: dict[str, Any]) -> None:
    project = project_store.get_project(session, org_id, str(payload["project_id"]))
    if project is None:
        return  # the project is gone; nothing to do
    started = time.monotonic()
    recompute_project(session, project)
    # Submits during the run queued the next one; it waits in proportion to this one.
    took = timedelta(seconds=(time.monotonic() - started) * SPACING)
    recompute_store.postpone_pending_job(session, _dedupe_key(project), utcnow() + took)
    session.commit()


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
    """Run every quality step over the project; commits (first whatever ``session`` holds).

    Each step commits on its own: a run that fails part-way keeps the steps before it, and
    the job's retry (or the next run) recomputes everything from the data.
    """
    session.commit()  # nothing may hold the write lock while the project is read and fitted
    with snapshot_session(session) as reader:
        policy = policy_for(reader, project)
    report = RecomputeReport()
    commit_step(session, lambda s: run_experiment_upkeep(s, project))
    data = read_project_data(session, project)
    scoring = _score(session, data, policy)
    flagged = commit_step(session, lambda s: _detect(s, data, scoring, policy))
    actions = commit_step(session, lambda s: apply_policy(s, project, policy, flagged))
    report.new_flags, report.actions = len(flagged), [a.kind for a in actions]
    if any(kind in ("exclude_responses", "downweight") for kind in report.actions):
        data = read_project_data(session, project)
        scoring = _score(session, data, policy)
    report.responses, report.workers_scored = len(data.responses), len(scoring.accuracy)
    commit_step(session, lambda s: update_pooled_skills(s, project, scoring.gold.keys()))
    alarms = run_reading_first(session, lambda s: evaluate_spc(s, data, scoring, policy))
    report.alarms = len(alarms)
    calibration = commit_step(session, lambda s: fit_project_calibration(s, data, scoring))
    report.calibration_samples = calibration.samples if calibration else 0
    results = refresh_results(session, data, scoring.accuracy, policy)
    report.results_updated, report.gates = results.updated, results.gates
    report.delivered_kept = results.delivered_kept
    report.delivered_differing = results.delivered_differing
    return report


def _score(session: Session, data: ProjectData, policy: Policy) -> Scoring:
    return commit_step(session, lambda s: _score_step(s, data, policy))


def _score_step(session: Session, data: ProjectData, policy: Policy) -> Scoring:
    # score_workers fits every model before its first statement, so the fit holds no lock;
    # its estimates are then looked up in one query, not one per worker and source.
    with preloaded_estimates(session, skill_key(data.project)):
        return score_workers(session, data, policy.number("default_accuracy"))


def _detect(
    session: Session, data: ProjectData, scoring: Scoring, policy: Policy
) -> list[QualitySignal]:
    # The detectors too run before the first statement; only storing their verdicts writes,
    # with the project's signals looked up in one query (the results' own are many and apart).
    with preloaded_signals(session, data.project.id, excluded_kinds=[DELIVERED_SIGNAL]):
        return run_detectors(
            session,
            data,
            scoring,
            min_gold_accuracy=policy.number("min_gold_accuracy"),
            extra=detect_gold_leaks(data) + detect_distinguishable_gold(data),
        )


def task_project(session: Session, org_id: str, task_id: str) -> Project:
    """Return the project of a task (for edges that only know the task)."""
    task = task_store.get_task(session, org_id, task_id)
    if task is None:
        raise NotFound(f"No task {task_id!r} in this organisation.")
    project = project_store.get_project(session, org_id, task.project_id)
    assert project is not None
    return project
