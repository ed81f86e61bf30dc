"""The shared front of the numeric aggregators: values in, one estimate per task out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from assay.quality._encoding import FloatArray, as_codes, factorize, keep_last, require_columns
from assay.quality.errors import QualityInputError


class NumericAnswers:
    """Numeric answers coded once: task and worker codes plus the float values."""

    def __init__(
        self,
        task_idx: ArrayLike,
        worker_idx: ArrayLike,
        values: ArrayLike,
        n_tasks: int | None = None,
        n_workers: int | None = None,
    ) -> None:
        self.task_idx, self.n_tasks = as_codes(task_idx, "task_idx", n_tasks)
        self.worker_idx, self.n_workers = as_codes(worker_idx, "worker_idx", n_workers)
        self.values = np.asarray(values, dtype=np.float64)
        if not (self.task_idx.shape == self.worker_idx.shape == self.values.shape):
            raise QualityInputError("task_idx, worker_idx and values must have the same length")
        if self.values.size == 0:
            raise QualityInputError("no answers to aggregate: the input is empty")
        if not np.isfinite(self.values).all():
            raise QualityInputError("numeric answers must be finite numbers")

    def per_task(self, weights: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
        """Weighted sum of values and total weight per task."""
        total = np.bincount(self.task_idx, weights=weights, minlength=self.n_tasks)
        weighted = self.values if weights is None else self.values * weights
        sums = np.bincount(self.task_idx, weights=weighted, minlength=self.n_tasks)
        return np.asarray(sums, dtype=np.float64), np.asarray(total, dtype=np.float64)


def reliability(estimates: FloatArray, stderr: FloatArray) -> FloatArray:
    """Share of an estimate's variance that is signal: ``tau^2 / (tau^2 + se^2)``.

    ``tau^2`` is the spread of the true values across tasks, estimated as the variance of
    the estimates minus their mean squared standard error. 1 means the noise is negligible.
    """
    finite = np.isfinite(stderr)
    if finite.sum() < 2:
        return np.where(finite, 1.0, 0.0)
    spread = float(np.var(estimates[finite]) - np.mean(stderr[finite] ** 2))
    spread = max(spread, 1e-12)
    return np.where(finite, spread / (spread + np.where(finite, stderr, 0.0) ** 2), 0.0)


class NumericAggregator(ABC):
    """Base of the numeric aggregators (mean, median, bias-variance).

    Fitted state: ``values_`` (estimate per task), ``stderr_`` (its standard error, inf for
    tasks with a single answer and no noise model), ``confidence_`` (reliability in [0, 1],
    see :func:`reliability`). After ``fit_frame`` also ``task_ids_`` and ``worker_ids_``.
    """

    values_: FloatArray
    stderr_: FloatArray
    task_ids_: NDArray[Any] | None = None
    worker_ids_: NDArray[Any] | None = None
    n_duplicates_: int = 0

    def fit(
        self,
        task_idx: ArrayLike,
        worker_idx: ArrayLike,
        values: ArrayLike,
        *,
        n_tasks: int | None = None,
        n_workers: int | None = None,
    ) -> Self:
        """Fit on integer task/worker codes and float answers.

        Raises:
            QualityInputError: On empty, non-finite or inconsistent input.

        """
        self.task_ids_ = self.worker_ids_ = None
        self._fit_answers(NumericAnswers(task_idx, worker_idx, values, n_tasks, n_workers))
        return self

    def fit_frame(self, frame: pd.DataFrame) -> Self:
        """Fit on a frame with columns ``task, worker, label`` (label numeric or numeric text).

        Repeated (task, worker) rows keep the last one.

        Raises:
            QualityInputError: On missing columns, empty input or non-numeric labels.

        """
        require_columns(frame, ["task", "worker", "label"])
        frame, self.n_duplicates_ = keep_last(frame, ["task", "worker"])
        values = pd.to_numeric(frame["label"], errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(values).any():
            raise QualityInputError("numeric methods need numeric labels")
        task_idx, self.task_ids_ = factorize(frame["task"], sort=False)
        worker_idx, self.worker_ids_ = factorize(frame["worker"], sort=False)
        self._fit_answers(NumericAnswers(task_idx, worker_idx, values))
        return self

    def fit_predict(self, frame: pd.DataFrame) -> pd.Series:
        """Fit on a frame and return the estimate per task, indexed by task."""
        self.fit_frame(frame)
        assert self.task_ids_ is not None
        return pd.Series(
            self.values_, index=pd.Index(self.task_ids_, name="task"), name="agg_label"
        )

    def result_frame(self) -> pd.DataFrame:
        """Return the delivered answer per task: columns ``task, label, confidence``."""
        if self.task_ids_ is None:
            raise QualityInputError("fit_frame first: the model was fitted on codes")
        return pd.DataFrame(
            {"task": self.task_ids_, "label": self.values_, "confidence": self.confidence_}
        )

    @property
    def confidence_(self) -> FloatArray:
        """Reliability of each task's estimate, in [0, 1]."""
        return reliability(self.values_, self.stderr_)

    @abstractmethod
    def _fit_answers(self, answers: NumericAnswers) -> None:
        """Set ``values_`` and ``stderr_``."""
