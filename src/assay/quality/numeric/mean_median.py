"""Plain mean and median of the answers per task."""

from __future__ import annotations

import numpy as np

from assay.quality._encoding import FloatArray
from assay.quality.numeric._base import NumericAggregator, NumericAnswers

_MEDIAN_EFFICIENCY = np.sqrt(np.pi / 2.0)  # se(median) / se(mean) under normal noise


def pooled_residual_sd(answers: NumericAnswers, centre: FloatArray) -> float:
    """Return the answers' standard deviation around their task's centre, pooled."""
    residual = answers.values - centre[answers.task_idx]
    counts = np.bincount(answers.task_idx, minlength=answers.n_tasks)
    dof = max(int(answers.values.size - (counts > 0).sum()), 1)
    return float(np.sqrt((residual**2).sum() / dof))


def _stderr(answers: NumericAnswers, centre: FloatArray, factor: float) -> FloatArray:
    counts = np.bincount(answers.task_idx, minlength=answers.n_tasks).astype(np.float64)
    spread = pooled_residual_sd(answers, centre) * factor
    out = np.full(counts.shape, np.inf)
    np.divide(spread, np.sqrt(counts), out=out, where=counts > 0)
    return out


class MeanAggregator(NumericAggregator):
    r"""Mean of the answers per task: :math:`\hat\mu_t = \frac{1}{n_t}\sum_{r \in t} y_r`.

    ``stderr_`` is the pooled residual standard deviation over :math:`\sqrt{n_t}`. Tasks
    without answers get NaN.
    """

    def _fit_answers(self, answers: NumericAnswers) -> None:
        sums, counts = answers.per_task()
        self.values_ = np.divide(sums, counts, out=np.full(sums.shape, np.nan), where=counts > 0)
        self.stderr_ = _stderr(answers, np.nan_to_num(self.values_), 1.0)


class MedianAggregator(NumericAggregator):
    r"""Median of the answers per task (robust to a few wild answers).

    Computed for all tasks at once from one sort by (task, value). ``stderr_`` is
    :math:`\sqrt{\pi/2}` times the mean's (the median's efficiency under normal noise).
    """

    def _fit_answers(self, answers: NumericAnswers) -> None:
        order = np.lexsort((answers.values, answers.task_idx))
        ordered = answers.values[order]
        counts = np.bincount(answers.task_idx, minlength=answers.n_tasks)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        seen = counts > 0
        low = starts + (counts - 1) // 2
        high = starts + counts // 2
        median = np.full(answers.n_tasks, np.nan)
        median[seen] = 0.5 * (ordered[low[seen]] + ordered[high[seen]])
        self.values_ = median
        self.stderr_ = _stderr(answers, np.nan_to_num(median), _MEDIAN_EFFICIENCY)
