"""Metrics over episodes: success, partial score, pass@k, pass^k, steps, errors, robustness.

pass@k is the chance that at least one of k runs succeeds (Chen et al. 2021, unbiased estimator
``1 - C(n-c, k) / C(n, k)``); pass^k is the chance that all k succeed (Yao et al. 2024, τ-bench:
``C(c, k) / C(n, k)``), the measure of reliability that matters for agents. Both come from n runs
of a task with c successes. The robustness ratio divides the mean score with faults by the mean
score without (1.0 means the faults cost nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from math import comb

from pydantic import BaseModel, ConfigDict

from assay.envs.episode import EpisodeResult


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of ``k`` runs drawn from ``n`` (``c`` successful) succeeds."""
    if not 0 < k <= n:
        raise ValueError(f"need 0 < k <= n, got k={k}, n={n}")
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Probability that all ``k`` runs drawn from ``n`` (``c`` successful) succeed."""
    if not 0 < k <= n:
        raise ValueError(f"need 0 < k <= n, got k={k}, n={n}")
    return comb(c, k) / comb(n, k)


class TaskMetrics(BaseModel):
    """Metrics of one task over its runs."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    runs: int
    successes: int
    mean_score: float
    pass_at: dict[int, float]
    pass_hat: dict[int, float]
    mean_steps: float
    tool_errors: float
    injected_faults: float


class SetMetrics(BaseModel):
    """Metrics of a set of tasks: per task, and averaged over tasks."""

    model_config = ConfigDict(frozen=True)

    tasks: list[TaskMetrics]
    runs: int
    mean_score: float
    success_rate: float
    pass_at: dict[int, float]
    pass_hat: dict[int, float]
    mean_steps: float
    tool_errors: float


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return round(sum(items) / len(items), 6) if items else 0.0


def task_metrics(
    task_id: str, results: Sequence[EpisodeResult], ks: Sequence[int] = (1,)
) -> TaskMetrics:
    """Metrics of one task from its runs (k values above the number of runs are skipped)."""
    n, c = len(results), sum(r.success for r in results)
    usable = [k for k in ks if 0 < k <= n]
    return TaskMetrics(
        task_id=task_id,
        runs=n,
        successes=c,
        mean_score=_mean(r.score for r in results),
        pass_at={k: round(pass_at_k(n, c, k), 6) for k in usable},
        pass_hat={k: round(pass_hat_k(n, c, k), 6) for k in usable},
        mean_steps=_mean(r.steps for r in results),
        tool_errors=_mean(r.tool_errors for r in results),
        injected_faults=_mean(r.injected_faults for r in results),
    )


def summarise(results: Iterable[EpisodeResult], ks: Sequence[int] = (1,)) -> SetMetrics:
    """Per-task and overall metrics; overall numbers average the tasks, not the runs."""
    by_task: dict[str, list[EpisodeResult]] = defaultdict(list)
    for result in results:
        by_task[result.task_id].append(result)
    tasks = [task_metrics(task_id, runs, ks) for task_id, runs in by_task.items()]
    common = sorted(set.intersection(*(set(t.pass_at) for t in tasks))) if tasks else []
    return SetMetrics(
        tasks=tasks,
        runs=sum(t.runs for t in tasks),
        mean_score=_mean(t.mean_score for t in tasks),
        success_rate=_mean(t.successes / t.runs for t in tasks),
        pass_at={k: _mean(t.pass_at[k] for t in tasks) for k in common},
        pass_hat={k: _mean(t.pass_hat[k] for t in tasks) for k in common},
        mean_steps=_mean(t.mean_steps for t in tasks),
        tool_errors=_mean(t.tool_errors for t in tasks),
    )


def robustness_ratio(
    clean: SetMetrics | TaskMetrics, faulted: SetMetrics | TaskMetrics
) -> float | None:
    """Mean score with faults over mean score without; None when the clean score is 0."""
    if clean.mean_score == 0:
        return None
    return round(faulted.mean_score / clean.mean_score, 6)
