"""Grading an episode from the final state: checkpoints, guards and pending rubric items.

Score (after TheAgentCompany): ``0.5 * earned / total + 0.5 * full``, where ``full`` means every
checkpoint passed and no guard failed; a failed fatal guard makes the score 0. Grading reads only
the universe, never wall time, so replaying the same actions gives the same grade. Doing nothing
earns nothing: guards add no points, so an agent that refuses scores 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assay.envs.checks import Evidence, evaluate
from assay.envs.tasks import Task


class CheckResult(BaseModel):
    """The outcome of one checkpoint or guard."""

    model_config = ConfigDict(frozen=True)

    id: str
    description: str
    kind: Literal["checkpoint", "guard"]
    passed: bool
    points: int
    detail: str
    fatal: bool = False


class RubricResult(BaseModel):
    """A rubric item; ``score`` stays None until a human or a judge grades it."""

    model_config = ConfigDict(frozen=True)

    id: str
    criterion: str
    points: int
    score: float | None = None


class Grade(BaseModel):
    """The grade of one episode."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    score: float
    success: bool
    earned: int
    total: int
    checks: list[CheckResult]
    rubric: list[RubricResult]

    @property
    def rubric_pending(self) -> bool:
        """Whether some rubric item still waits for a human or judge grade."""
        return any(item.score is None for item in self.rubric)

    def with_rubric(self, scores: Mapping[str, float]) -> Grade:
        """Return a copy with rubric items graded (points earned per item id).

        The rubric joins the partial-credit part of the score; full completion stays defined by
        the automatic checks.
        """
        rubric = [
            item.model_copy(update={"score": min(float(scores[item.id]), item.points)})
            if item.id in scores
            else item
            for item in self.rubric
        ]
        earned = self.earned + sum(item.score or 0.0 for item in rubric)
        total = self.total + sum(item.points for item in rubric)
        fatal = any(c.fatal and not c.passed for c in self.checks)
        score = 0.0 if fatal else _score(earned, total, self.success)
        return self.model_copy(update={"rubric": rubric, "score": score})


def _score(earned: float, total: float, success: bool) -> float:
    return round(0.5 * (earned / total if total else 0.0) + 0.5 * float(success), 6)


def _run_checks(task: Task, evidence: Evidence) -> list[CheckResult]:
    results: list[CheckResult] = []
    for point in task.checkpoints:
        passed, detail = evaluate(point.check, evidence)
        results.append(
            CheckResult(
                id=point.id,
                description=point.description,
                kind="checkpoint",
                passed=passed,
                points=point.points,
                detail=detail,
            )
        )
    for guard in task.guards:
        passed, detail = evaluate(guard.check, evidence)
        results.append(
            CheckResult(
                id=guard.id,
                description=guard.description,
                kind="guard",
                passed=passed,
                points=0,
                detail=detail,
                fatal=guard.fatal,
            )
        )
    return results


def grade(task: Task, evidence: Evidence) -> Grade:
    """Grade the final universe in ``evidence`` against ``task``."""
    results = _run_checks(task, evidence)
    fatal = any(r.fatal and not r.passed for r in results)
    earned = sum(r.points for r in results if r.kind == "checkpoint" and r.passed)
    total = sum(p.points for p in task.checkpoints)
    success = all(r.passed for r in results)
    return Grade(
        task_id=task.id,
        score=0.0 if fatal else _score(earned, total, success),
        success=success,
        earned=earned,
        total=total,
        checks=results,
        rubric=[RubricResult(id=r.id, criterion=r.criterion, points=r.points) for r in task.rubric],
    )
