"""A task's result confidence: one-coin posterior from worker estimates, calibrated on gold.

The raw confidence is the posterior of the winning class given the task's answers, each worker
trusted as much as their combined accuracy estimate (a down-weighted worker's likelihood ratio
is raised to their weight). It is then mapped through the project's calibration, fitted on gold
tasks answered by as many workers as a regular task gets (random subsets of their answers), so
that of results delivered at 0.9 about 90% are right. The map is checked out of fold: fitted on
half of the gold tasks, read on the other half.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from assay.quality.signals import (
    fit_calibrator,
    reliability_table,
    task_posterior,
)
from assay.services.quality_data import ProjectData
from assay.services.quality_scoring import Scoring
from assay.store import Session
from assay.store import quality_gate as store
from assay.store.base import utcnow
from assay.store.models.quality_ops import ConfidenceCalibration

FloatArray = NDArray[np.float64]
GRID = np.unique(np.r_[np.linspace(0.0, 1.0, 101), 1.0 - np.logspace(-1, -6, 41)])
MIN_GOLD_TASKS = 20
MIN_TAIL_TASKS = 12
SUBSETS_PER_GOLD = 6


def effective_accuracy(accuracy: float, weight: float, n_classes: int) -> float:
    """Return the accuracy whose likelihood ratio is ``accuracy``'s raised to ``weight``."""
    acc = min(max(accuracy, 1.0 / n_classes + 1e-6), 0.999)
    ratio = (acc * (n_classes - 1) / (1 - acc)) ** max(weight, 0.0)
    return float(ratio / (ratio + n_classes - 1))


def posterior_for(
    labels: Sequence[int],
    workers: Sequence[str],
    *,
    accuracy: dict[str, float],
    weights: dict[str, float],
    default_accuracy: float,
    n_classes: int,
    prior: Sequence[float] | None = None,
) -> FloatArray:
    """Return the posterior over a task's class given its answers and the answering workers."""
    accuracies = [
        effective_accuracy(accuracy.get(w, default_accuracy), weights.get(w, 1.0), n_classes)
        for w in workers
    ]
    return task_posterior(list(labels), accuracies, n_classes, prior=prior)


def calibrated(raw: float, calibration: ConfidenceCalibration | None) -> float:
    """Map a raw confidence through the project's calibration (identity when none yet)."""
    if calibration is None or not calibration.points.get("x"):
        return raw
    return float(np.interp(raw, calibration.points["x"], calibration.points["y"]))


def raw_target(target: float, calibration: ConfidenceCalibration | None) -> float | None:
    """Return the smallest raw confidence calibrated to ``target`` or more (None: never)."""
    if calibration is None or not calibration.points.get("x"):
        return target
    mapped = np.interp(GRID, calibration.points["x"], calibration.points["y"])
    reached = np.flatnonzero(mapped >= target - 1e-12)
    return float(GRID[reached[0]]) if reached.size else None


def gold_samples(
    data: ProjectData, scoring: Scoring, rng: random.Random
) -> tuple[list[float], list[bool], list[int]]:
    """Raw confidences of gold tasks answered by regular-task-sized subsets of their answers.

    Returns the confidences, whether each subset's winner was the gold answer, and the gold
    task (code) each sample came from, for out-of-fold checks.
    """
    matrix = scoring.matrix
    if matrix is None:
        return [], [], []
    low = data.project.redundancy
    high = max(data.project.max_responses or low, low)
    by_task: dict[int, list[int]] = {}
    for row, status in enumerate(matrix.statuses):
        if status == "accepted" and int(matrix.task_idx[row]) in matrix.gold:
            by_task.setdefault(int(matrix.task_idx[row]), []).append(row)
    confidences: list[float] = []
    correct: list[bool] = []
    groups: list[int] = []
    for task_code, rows in sorted(by_task.items()):
        if len(rows) < low:
            continue
        for _ in range(SUBSETS_PER_GOLD):
            size = rng.randint(low, min(high, len(rows)))
            chosen = rng.sample(rows, size)
            posterior = posterior_for(
                [int(matrix.label_idx[r]) for r in chosen],
                [matrix.worker_ids[int(matrix.worker_idx[r])] for r in chosen],
                accuracy=scoring.accuracy,
                weights=data.weights,
                default_accuracy=scoring.default_accuracy,
                n_classes=matrix.n_classes,
                prior=scoring.class_prior,
            )
            confidences.append(float(posterior.max()))
            correct.append(int(posterior.argmax()) == matrix.gold[task_code])
            groups.append(task_code)
    return confidences, correct, groups


def _grid_map(
    confidences: FloatArray, correct: NDArray[np.bool_], groups: NDArray[np.intp]
) -> tuple[str, FloatArray]:
    """Fit the map on a grid, then cap it by what the gold can vouch for (see ``_cap``)."""
    # Isotonic: monotone by construction (a logistic fit on a few gold tasks can come out
    # decreasing, which would make the map useless at the top, where the gate reads it).
    method: Literal["isotonic"] = "isotonic"
    calibrator = fit_calibrator(confidences, correct, method=method)
    fitted = np.clip(calibrator.predict(GRID), 0.0, 1.0)
    capped = np.minimum(fitted, _cap(confidences, correct, groups))
    # The smallest value at or to the right of each point: monotone, and never above the cap.
    values = np.minimum.accumulate(capped[::-1])[::-1]
    return method, np.asarray(values, dtype=np.float64)


def _cap(
    confidences: FloatArray, correct: NDArray[np.bool_], groups: NDArray[np.intp]
) -> FloatArray:
    """Return the shrunk accuracy of gold samples at or above each grid point.

    Subsets of one gold task are not independent checks, so the estimate counts distinct gold
    tasks, with a uniform prior: ``(right + 1) / (tasks + 2)``. Twenty gold tasks all right
    vouch for 0.95, not 1.0: a small or easy gold set makes the gate buy more rather than
    over-promise. Where fewer than ``MIN_TAIL_TASKS`` gold tasks reach a confidence, the value
    of the last point that had enough is kept: gold cannot vouch for more than it has seen.
    """
    caps = np.empty(GRID.size)
    last = 0.0
    for index, x in enumerate(GRID):
        mask = confidences >= x
        tasks = float(np.unique(groups[mask]).size)
        if tasks >= MIN_TAIL_TASKS or index == 0:
            right = float(correct[mask].mean()) * tasks
            last = (right + 1.0) / (tasks + 2.0)
        caps[index] = last
    return caps


def _out_of_fold(
    confidences: FloatArray, correct: NDArray[np.bool_], groups: NDArray[np.intp]
) -> FloatArray:
    """Calibrated confidences of each sample from a map fitted on the other half of gold."""
    fold = groups % 2
    out = np.empty(confidences.size)
    for side in (0, 1):
        train, test = fold != side, fold == side
        if np.unique(groups[train]).size < MIN_GOLD_TASKS // 2 or not test.any():
            out[test] = confidences[test]
            continue
        _, mapped = _grid_map(confidences[train], correct[train], groups[train])
        out[test] = np.interp(confidences[test], GRID, mapped)
    return out


def fit_project_calibration(
    session: Session, data: ProjectData, scoring: Scoring, seed: int = 0
) -> ConfidenceCalibration | None:
    """Fit and store the project's calibration on gold; None when gold is too thin."""
    raw, right, tasks = gold_samples(data, scoring, random.Random(seed))
    # Gold answered right every time is evidence as well: the cap (see ``_cap``) lets it vouch
    # for (right + 1) / (tasks + 2), never 1.0. Gold never answered right says nothing about
    # how confidence maps to accuracy (the gold itself is suspect), so it leaves the map as is.
    if len(set(tasks)) < MIN_GOLD_TASKS or not any(right):
        return store.get_calibration(session, data.project.id)
    confidences = np.asarray(raw, dtype=np.float64)
    correct = np.asarray(right, dtype=bool)
    groups = np.asarray(tasks, dtype=np.intp)
    method, mapped = _grid_map(confidences, correct, groups)
    checked = _out_of_fold(confidences, correct, groups)
    table = reliability_table(checked, correct, n_bins=10)
    calibration = ConfidenceCalibration(
        project_id=data.project.id,
        org_id=data.project.org_id,
        method=method,
        points={"x": GRID.tolist(), "y": mapped.tolist(), "class_prior": scoring.class_prior},
        reliability=dict(table.as_dict()),
        samples=int(confidences.size),
        fitted_at=utcnow(),
    )
    store.save_calibration(session, calibration)
    return calibration
