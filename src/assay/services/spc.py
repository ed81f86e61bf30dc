"""Statistical process control: CUSUM and SPRT alarms per worker, per batch and per project.

* worker: Bernoulli CUSUM on wrong gold answers, and Wald's SPRT (alpha 0.01) on gold accuracy
  (good level = the crowd's pooled gold accuracy, bad level 0.2 lower); an alarm quarantines
  the worker (pauses them, reversibly) when the policy says so;
* batch: CUSUM on the share of the batch's tasks whose counted answers disagree (one
  observation per task); an alarm pauses the batch's open tasks;
* project: CUSUM on wrong gold answers against the project's own first half; notify only.

Every alarm notifies the requester by webhook (``quality.alarm``) with a short quality report.
After a lead resolves an alarm, the chart restarts from the resolution time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import numpy as np

from assay.quality.signals import bernoulli_cusum_batch, sprt_accuracy_batch
from assay.services.quality_actions import pause_batch, pause_worker
from assay.services.quality_data import ProjectData, answer_of, class_of
from assay.services.quality_policy import Policy
from assay.services.quality_scoring import Scoring
from assay.store import Session
from assay.store import deliveries as delivery_store
from assay.store import quality_ops as store
from assay.store.base import utcnow
from assay.store.models import Project
from assay.store.models.quality_ops import QualityAlarm

ALARM_EVENT = "quality.alarm"
MIN_OBSERVATIONS = 8


def _p1(p0: float) -> float:
    return min(2 * p0 + 0.1, 0.95)


def _since(
    session: Session, project: Project, scope: str, subject: str, metric: str
) -> datetime | None:
    resolved = [
        a
        for a in store.list_alarms(session, project.id, status="resolved")
        if a.scope == scope and a.subject_id == subject and a.metric == metric
    ]
    return max((a.resolved_at for a in resolved if a.resolved_at), default=None)


def _gold_streams(data: ProjectData) -> dict[str, list[tuple[datetime, bool]]]:
    streams: dict[str, list[tuple[datetime, bool]]] = defaultdict(list)
    for response in sorted(data.scored(), key=lambda r: (r.created_at, r.id)):
        if response.gold_correct is not None:
            streams[response.worker_id].append((response.created_at, bool(response.gold_correct)))
    return streams


def _raise(
    session: Session,
    data: ProjectData,
    *,
    scope: str,
    subject: str,
    metric: str,
    method: str,
    statistic: float,
    threshold: float,
    evidence: dict[str, object],
) -> QualityAlarm | None:
    project = data.project
    if store.find_open_alarm(session, project.id, scope, subject, metric) is not None:
        return None
    alarm = store.insert_alarm(
        session,
        QualityAlarm(
            id="",
            org_id=project.org_id,
            project_id=project.id,
            scope=scope,
            subject_id=subject,
            metric=metric,
            method=method,
            statistic=round(statistic, 4),
            threshold=round(threshold, 4),
            evidence=evidence,
        ),
    )
    _notify(session, project, alarm)
    return alarm


def _worker_alarms(session: Session, data: ProjectData, policy: Policy) -> list[QualityAlarm]:
    raw = _gold_streams(data)
    answers = [ok for stream in raw.values() for _, ok in stream]
    if len(answers) < MIN_OBSERVATIONS:
        return []
    pooled = min(max(float(np.mean(answers)), 0.55), 0.98)
    streams: dict[str, list[bool]] = {}
    for worker_id, stream in raw.items():
        since = _since(session, data.project, "worker", worker_id, "gold_accuracy")
        kept = [ok for at, ok in stream if since is None or at > since]
        if len(kept) >= MIN_OBSERVATIONS:
            streams[worker_id] = kept
    if not streams:
        return []
    workers = list(streams)
    p0 = 1 - pooled
    charts = bernoulli_cusum_batch(
        [[not ok for ok in streams[w]] for w in workers],
        p0,
        _p1(p0),
        in_control_arl=policy.number("spc_in_control_arl"),
    )
    tests = sprt_accuracy_batch(
        [streams[w] for w in workers],
        good_accuracy=pooled,
        bad_accuracy=max(pooled - 0.2, 0.3),
        alpha=0.01,
    )
    alarms = []
    for worker_id, chart, test in zip(workers, charts, tests, strict=True):
        if not chart.alarmed and test.decision != "reject":
            continue
        method = "cusum" if chart.alarmed else "sprt"
        statistic = float(chart.path.max()) if chart.alarmed else float(test.llr[-1])
        threshold = chart.threshold if chart.alarmed else test.upper
        evidence: dict[str, object] = {
            "gold_answers": len(streams[worker_id]),
            "gold_accuracy": float(np.mean(streams[worker_id])),
            "crowd_gold_accuracy": pooled,
            "cusum_alarm_index": chart.alarm_index,
            "sprt_decision": test.decision,
        }
        alarm = _raise(
            session,
            data,
            scope="worker",
            subject=worker_id,
            metric="gold_accuracy",
            method=method,
            statistic=statistic,
            threshold=threshold,
            evidence=evidence,
        )
        if alarm is not None:
            alarms.append(alarm)
            if policy.settings.get("spc_worker_action") == "quarantine_worker":
                _quarantine(session, data.project, worker_id, alarm)
    return alarms


def _quarantine(session: Session, project: Project, worker_id: str, alarm: QualityAlarm) -> None:
    if store.find_actions(session, project.id, "quarantine_worker", worker_id):
        return  # quarantined before (and maybe released by a lead): do not repeat
    pause_worker(
        session,
        project,
        worker_id,
        f"{alarm.method} alarm on gold accuracy",
        kind="quarantine_worker",
        alarm_id=alarm.id,
    )


def _task_streams(data: ProjectData) -> tuple[dict[str, list[bool]], list[bool]]:
    """Per batch, in task order: whether each task's first counted answers disagree.

    One observation per task, not per response: a task's answers are not independent (a hard
    item draws several wrong ones), and a chart fed correlated observations alarms by chance.
    Only the first ``redundancy`` answers count, in the order tasks were created (the queue's
    order): the answers the gate bought for hard tasks would make late tasks look worse.
    """
    question = data.question
    wanted = data.project.redundancy
    answers: dict[str, list[int]] = defaultdict(list)
    for response in sorted(data.responses, key=lambda r: (r.created_at, r.id)):
        task = data.tasks.get(response.task_id)
        code = class_of(question, answer_of(response)) if question else None
        if task is None or task.is_gold or response.status != "accepted" or code is None:
            continue
        if len(answers[task.id]) < wanted:
            answers[task.id].append(code)
    streams: dict[str, list[bool]] = defaultdict(list)
    everything: list[bool] = []
    for task_id in sorted(answers):
        if len(answers[task_id]) < max(wanted, 2):
            continue
        split = len(set(answers[task_id])) > 1
        everything.append(split)
        batch_id = data.tasks[task_id].batch_id
        if batch_id:
            streams[batch_id].append(split)
    return streams, everything


def _batch_alarms(session: Session, data: ProjectData, policy: Policy) -> list[QualityAlarm]:
    streams, everything = _task_streams(data)
    if len(everything) < 30 or not streams:
        return []
    p0 = min(max(float(np.mean(everything)), 0.02), 0.7)
    batches = [b for b, s in streams.items() if len(s) >= MIN_OBSERVATIONS]
    if not batches:
        return []
    charts = bernoulli_cusum_batch(
        [streams[b] for b in batches],
        p0,
        min(p0 + 0.25, 0.95),
        in_control_arl=policy.number("spc_in_control_arl"),
    )
    alarms = []
    for batch_id, chart in zip(batches, charts, strict=True):
        if not chart.alarmed:
            continue
        evidence: dict[str, object] = {
            "tasks": len(streams[batch_id]),
            "split_tasks": float(np.mean(streams[batch_id])),
            "project_split_tasks": p0,
            "alarm_index": chart.alarm_index,
        }
        alarm = _raise(
            session,
            data,
            scope="batch",
            subject=batch_id,
            metric="agreement",
            method="cusum",
            statistic=float(chart.path.max()),
            threshold=chart.threshold,
            evidence=evidence,
        )
        if alarm is not None:
            alarms.append(alarm)
            if policy.settings.get("spc_batch_action") == "pause_batch":
                pause_batch(
                    session,
                    data.project,
                    batch_id,
                    f"agreement CUSUM alarm ({evidence['split_tasks']:.0%} of tasks split)",
                    alarm.id,
                )
    return alarms


def _project_alarm(session: Session, data: ProjectData, policy: Policy) -> list[QualityAlarm]:
    stream = [ok for s in _gold_streams(data).values() for ok in s]
    ordered = [ok for _, ok in sorted(stream)]
    if len(ordered) < 4 * MIN_OBSERVATIONS:
        return []
    half = ordered[: len(ordered) // 2]
    p0 = min(max(1 - float(np.mean(half)), 0.02), 0.6)
    chart = bernoulli_cusum_batch(
        [[not ok for ok in ordered]],
        p0,
        _p1(p0),
        in_control_arl=policy.number("spc_in_control_arl"),
    )[0]
    if not chart.alarmed:
        return []
    alarm = _raise(
        session,
        data,
        scope="project",
        subject=data.project.id,
        metric="gold_accuracy",
        method="cusum",
        statistic=float(chart.path.max()),
        threshold=chart.threshold,
        evidence={"gold_answers": len(ordered), "baseline_error_rate": p0},
    )
    return [alarm] if alarm else []


def evaluate_spc(
    session: Session, data: ProjectData, scoring: Scoring, policy: Policy
) -> list[QualityAlarm]:
    """Run every chart; raise (and act on) new alarms; flushes."""
    alarms = _worker_alarms(session, data, policy)
    alarms += _batch_alarms(session, data, policy)
    alarms += _project_alarm(session, data, policy)
    session.flush()
    return alarms


def _notify(session: Session, project: Project, alarm: QualityAlarm) -> None:
    """Send the requester a short quality report by webhook (when the project has a URL)."""
    if not project.callback_url:
        return
    flagged = store.list_signals(session, project.id, flagged_only=True, limit=50)
    now = utcnow()
    delivery_id = delivery_store.new_delivery_id()
    report = {
        "id": delivery_id,
        "event": ALARM_EVENT,
        "created_at": now.isoformat(),
        "project_id": project.id,
        "alarm": {
            "id": alarm.id,
            "scope": alarm.scope,
            "subject_id": alarm.subject_id,
            "metric": alarm.metric,
            "method": alarm.method,
            "statistic": alarm.statistic,
            "threshold": alarm.threshold,
            "evidence": alarm.evidence,
        },
        "report": {
            "flagged_signals": len(flagged),
            "top_signals": [
                {"kind": s.kind, "subject": s.subject_id, "score": s.score} for s in flagged[:5]
            ],
        },
    }
    delivery_store.insert_delivery(
        session,
        delivery_id=delivery_id,
        org_id=project.org_id,
        project_id=project.id,
        task_id=None,
        event=ALARM_EVENT,
        url=project.callback_url,
        payload=report,
        now=now,
    )
