"""Delivered results stay as delivered: a later re-score is kept beside them, and flagged.

Each recompute re-scores every result with the newest worker estimates. A result the requester
already has must not change under them, so once a result is delivered (released at completion
or by the delivery gate, or acknowledged by the webhook receiver) the recompute leaves its
answer, confidence and method alone. It records its own judgement in the result's details
under ``rescored_after_delivery`` (answer, raw and calibrated confidence, posterior, whether
the answer differs, when), and when the answer differs it raises a flagged
``delivered_result_changed`` signal on the task for operations to look at (and dismiss, or
redeliver by hand). When a later re-score agrees again, the signal is lowered.
"""

from __future__ import annotations

from typing import Any

from assay.domain.enums import TaskState
from assay.services.delivery_gate import Judgement
from assay.services.quality_data import CategoricalQuestion, class_of
from assay.store import Session
from assay.store import quality_ops as store
from assay.store.base import utcnow
from assay.store.models import Project, Result, Task
from assay.store.models.quality_ops import QualitySignal

RESCORE_KEY = "rescored_after_delivery"
SIGNAL_KIND = "delivered_result_changed"


def is_delivered(task: Task, result: Result, gate_status: str | None) -> bool:
    """Whether the requester has had the result.

    Args:
        task: The result's task.
        result: The result.
        gate_status: The task's delivery-gate status. None: the task never reached a gate, so
            its result was released when the task completed (a result exists only from then),
            and stays delivered when an exclusion reopens the task until it is redone and
            delivered again.

    """
    if result.delivered_at is not None or task.state == TaskState.DELIVERED:
        return True
    return gate_status in (None, "released")


def _rescore(question: CategoricalQuestion, judged: Judgement, differs: bool) -> dict[str, Any]:
    winner = max(range(len(judged.posterior)), key=lambda k: judged.posterior[k])
    posterior = [round(p, 6) for p in judged.posterior]
    return {
        "answer": {question.name: question.classes[winner]},
        "confidence": round(judged.confidence, 6),
        "raw_confidence": round(judged.raw, 6),
        "posterior": dict(zip(question.classes, posterior, strict=True)),
        "differs": differs,
    }


def record_rescore(
    session: Session,
    project: Project,
    task: Task,
    result: Result,
    question: CategoricalQuestion,
    judged: Judgement,
) -> bool:
    """Keep a re-score beside a delivered result; return whether its answer differs.

    The result's answer, confidence and method are not touched; only its details gain (or
    update) the ``rescored_after_delivery`` entry, and only when the re-score moved.
    """
    winner = max(range(len(judged.posterior)), key=lambda k: judged.posterior[k])
    differs = class_of(question, result.answer) != winner
    entry = _rescore(question, judged, differs)
    previous = (result.details or {}).get(RESCORE_KEY) or {}
    if {key: previous.get(key) for key in entry} != entry:
        result.details = {**result.details, RESCORE_KEY: {**entry, "at": utcnow().isoformat()}}
    _flag(session, project, task, result, question, entry)
    return differs  # not flushed: a recompute writes many of these, flushed together


def _flag(
    session: Session,
    project: Project,
    task: Task,
    result: Result,
    question: CategoricalQuestion,
    entry: dict[str, Any],
) -> None:
    row = store.get_signal(session, project.id, SIGNAL_KIND, task.id)
    if row is None and not entry["differs"]:
        return
    if row is None:
        row = QualitySignal(
            id="",
            org_id=project.org_id,
            project_id=project.id,
            kind=SIGNAL_KIND,
            subject_type="task",
            subject_id=task.id,
            status="open",
            created_at=utcnow(),
        )
    delivered = result.answer.get(question.name)
    row.score, row.flagged, row.threshold = float(entry["confidence"]), entry["differs"], 0.5
    row.evidence = {
        "question": question.name,
        "delivered_answer": delivered if isinstance(delivered, str | int | float) else None,
        "delivered_confidence": result.confidence,
        "rescored_answer": entry["answer"][question.name],
        "rescored_confidence": entry["confidence"],
    }
    row.updated_at = utcnow()
    store.save_signal(session, row)
