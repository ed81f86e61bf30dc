"""Turning a task's responses into its result (majority vote / mean until truth inference runs)."""

from __future__ import annotations

from collections import Counter
from statistics import fmean
from typing import Any

from assay.domain.answers import answer_key
from assay.domain.template import Template
from assay.store.models import Response, Result

METHOD = "majority_vote"
METHOD_VERSION = "1"


def _aggregate_question(values: list[Any]) -> tuple[Any, float | None, dict[str, Any]]:
    """The winning value of one question, its vote share, and the tally."""
    present = [v for v in values if v is not None]
    if not present:
        return None, None, {"aggregated": False}
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        mean = fmean(float(v) for v in present)
        spread = max(present) - min(present)
        return mean, None, {"mean": mean, "n": len(present), "range": spread}
    tally = Counter(str(v) for v in present)
    # Ties go to the value seen first, so the result does not depend on dict ordering.
    order = {str(v): i for i, v in reversed(list(enumerate(present)))}
    winner = max(tally, key=lambda v: (tally[v], -order[v]))
    return winner, tally[winner] / len(present), {"votes": dict(tally), "n": len(present)}


def aggregate_result(
    template: Template, task_id: str, org_id: str, project_id: str, responses: list[Response]
) -> Result:
    """Majority vote per question (mean for numbers); free text is passed through, not voted.

    Only accepted responses count, and a reviewer's edit replaces the answer it corrected.
    """
    accepted = [r for r in responses if r.status == "accepted"]
    answers = [r.reviewed_answer or r.answer for r in accepted]
    answer: dict[str, Any] = {}
    details: dict[str, Any] = {}
    confidences: list[float] = []
    for question in template.questions:
        keys = [answer_key(question, a.get(question.name)) for a in answers]
        value, confidence, tally = _aggregate_question(keys)
        if value is None and all(k is None for k in keys):
            answer[question.name] = [a.get(question.name) for a in answers]
            details[question.name] = {"aggregated": False, "n": len(accepted)}
            continue
        answer[question.name] = value
        details[question.name] = {**tally, "confidence": confidence}
        if confidence is not None:
            confidences.append(confidence)
    return Result(
        task_id=task_id,
        org_id=org_id,
        project_id=project_id,
        answer=answer,
        confidence=min(confidences) if confidences else None,
        details=details,
        method=METHOD,
        method_version=METHOD_VERSION,
        response_ids=[r.id for r in accepted],
    )
