"""The shared front of every categorical aggregator: integer codes in, labels and posteriors out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from assay.quality._encoding import (
    FloatArray,
    IntArray,
    LabelCodes,
    check_codes,
    encode_labels,
)
from assay.quality._posterior import class_frequency, decide
from assay.quality.errors import QualityInputError


class CategoricalAggregator(ABC):
    """Base of the categorical truth-inference models (Crowd-Kit's API shape).

    Subclasses implement :meth:`_fit_codes`, which sets ``probas_`` (and their own fitted
    state); this class supplies the two ways in:

    * ``fit(task_idx, worker_idx, label_idx, n_tasks=..., n_workers=..., n_classes=...)`` on
      integer codes (no pandas involved);
    * ``fit_frame(df)`` / ``fit_predict(df)`` / ``fit_predict_proba(df)`` on a DataFrame with
      Crowd-Kit's columns ``task, worker, label``; repeated (task, worker) rows keep the last.

    Fitted state (after either): ``probas_`` (n_tasks, n_classes), ``labels_`` (class code per
    task), ``confidence_`` (posterior of the chosen label). After ``fit_frame`` also
    ``task_ids_``, ``worker_ids_``, ``class_ids_`` (original ids by code) and
    ``n_duplicates_`` (rows dropped as repeats).

    Exact ties go to the class workers used least (see :func:`decide`), then at random with
    ``seed`` (a model attribute), so a fit is deterministic given its seed.
    """

    probas_: FloatArray
    labels_: IntArray
    task_ids_: NDArray[Any] | None = None
    worker_ids_: NDArray[Any] | None = None
    class_ids_: NDArray[Any] | None = None
    n_duplicates_: int = 0
    seed: int | None = 0

    def fit(
        self,
        task_idx: ArrayLike,
        worker_idx: ArrayLike,
        label_idx: ArrayLike,
        *,
        n_tasks: int | None = None,
        n_workers: int | None = None,
        n_classes: int | None = None,
    ) -> Self:
        """Fit on integer-coded annotations; every row counts (no deduplication here).

        Args:
            task_idx: Task code per row.
            worker_idx: Worker code per row.
            label_idx: Label code per row.
            n_tasks: Number of tasks (default: largest code + 1).
            n_workers: Number of workers (default: largest code + 1).
            n_classes: Number of classes (default: largest code + 1).

        Returns:
            self.

        Raises:
            QualityInputError: On empty or inconsistent input.

        """
        codes = check_codes(task_idx, worker_idx, label_idx, n_tasks, n_workers, n_classes)
        self.task_ids_ = self.worker_ids_ = self.class_ids_ = None
        self.n_duplicates_ = 0
        return self._fit_and_decide(codes)

    def fit_frame(self, frame: pd.DataFrame, *, classes: Sequence[Any] | None = None) -> Self:
        """Fit on a DataFrame with columns ``task, worker, label`` (Crowd-Kit's names).

        Repeated (task, worker) rows keep the last one. Labels keep their type and value.

        Args:
            frame: One row per answer.
            classes: The full class list (e.g. to include a class nobody used).

        Returns:
            self.

        Raises:
            QualityInputError: On missing columns or empty input.

        """
        encoded = encode_labels(frame, classes=classes)
        self.task_ids_ = encoded.tasks
        self.worker_ids_ = encoded.workers
        self.class_ids_ = encoded.classes
        self.n_duplicates_ = encoded.n_duplicates
        return self._fit_and_decide(encoded.codes)

    def fit_predict(self, frame: pd.DataFrame) -> pd.Series:
        """Fit on a frame and return the label per task, indexed by task (Crowd-Kit's shape)."""
        self.fit_frame(frame)
        return pd.Series(
            self._class_ids()[self.labels_],
            index=pd.Index(self._task_ids(), name="task"),
            name="agg_label",
        )

    def fit_predict_proba(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Fit on a frame and return the posterior per (task, label) as a DataFrame."""
        self.fit_frame(frame)
        return pd.DataFrame(
            self.probas_,
            index=pd.Index(self._task_ids(), name="task"),
            columns=pd.Index(self._class_ids(), name="label"),
        )

    def result_frame(self) -> pd.DataFrame:
        """Return the delivered answer per task: columns ``task, label, confidence``."""
        return pd.DataFrame(
            {
                "task": self._task_ids(),
                "label": self._class_ids()[self.labels_],
                "confidence": self.confidence_,
            }
        )

    @property
    def confidence_(self) -> FloatArray:
        """Posterior probability of the chosen label, per task."""
        rows = np.arange(self.probas_.shape[0])
        return np.asarray(self.probas_[rows, self.labels_], dtype=np.float64)

    @abstractmethod
    def _fit_codes(self, codes: LabelCodes) -> None:
        """Fit the model and set ``probas_`` (and the model's own state)."""

    def _fit_and_decide(self, codes: LabelCodes) -> Self:
        self._fit_codes(codes)
        self.labels_ = decide(self.probas_, class_frequency(codes), self.seed)
        return self

    def _task_ids(self) -> NDArray[Any]:
        if self.task_ids_ is None:
            raise QualityInputError("fit_frame first: the model was fitted on codes")
        return self.task_ids_

    def _class_ids(self) -> NDArray[Any]:
        if self.class_ids_ is None:
            raise QualityInputError("fit_frame first: the model was fitted on codes")
        return self.class_ids_
