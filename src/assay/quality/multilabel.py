"""Multi-label aggregation: one binary truth-inference model per label (binary relevance)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from assay.quality._encoding import FloatArray, as_codes, factorize, keep_last, require_columns
from assay.quality.classification._base import CategoricalAggregator
from assay.quality.classification.dawid_skene import DawidSkene
from assay.quality.errors import QualityInputError


class BinaryRelevance:
    r"""Multi-label truth inference: each label is its own present/absent question.

    For every label :math:`j`, each row (a worker's chosen set on a task) says
    :math:`y_{rj} = [j \in \text{set}_r]`, and a binary aggregator (Dawid-Skene by default,
    so every worker has a 2x2 confusion matrix per label) infers :math:`P(j \text{ applies to }
    t)`. A worker who picked nothing still says "absent" to every label.

    Fitted state: ``probas_`` (n_tasks, n_labels) posterior that each label applies,
    ``labels_`` (bool, ``probas_ >= threshold``), ``models_`` (the fitted aggregator per
    label); after ``fit_frame`` also ``task_ids_`` and ``label_ids_``.

    Reference: the binary-relevance reduction (Tsoumakas and Katakis, "Multi-Label
    Classification: An Overview", 2007) with Dawid-Skene per label, as in Crowd-Kit.

    Args:
        aggregator: Builds a fresh binary aggregator per label (default :class:`DawidSkene`).
        threshold: Posterior above which a label is delivered.

    """

    def __init__(
        self,
        aggregator: Callable[[], CategoricalAggregator] = DawidSkene,
        threshold: float = 0.5,
    ) -> None:
        self.aggregator = aggregator
        self.threshold = threshold
        self.task_ids_: NDArray[Any] | None = None
        self.label_ids_: NDArray[Any] | None = None

    def fit(
        self,
        task_idx: ArrayLike,
        worker_idx: ArrayLike,
        chosen: ArrayLike,
        *,
        n_tasks: int | None = None,
        n_workers: int | None = None,
    ) -> Self:
        """Fit on codes and a (n_rows, n_labels) 0/1 matrix of the labels each row chose.

        Raises:
            QualityInputError: On empty input or a matrix of the wrong shape.

        """
        tasks, n_t = as_codes(task_idx, "task_idx", n_tasks)
        workers, n_w = as_codes(worker_idx, "worker_idx", n_workers)
        matrix = np.asarray(chosen)
        if matrix.ndim != 2 or matrix.shape[0] != tasks.size or tasks.size != workers.size:
            raise QualityInputError(
                "chosen must be a (n_rows, n_labels) matrix, one row per answer"
            )
        if tasks.size == 0 or matrix.shape[1] == 0:
            raise QualityInputError("no labels to aggregate: the input is empty")
        present = matrix.astype(bool)
        self.models_ = [
            self.aggregator().fit(
                tasks,
                workers,
                present[:, j].astype(np.intp),
                n_tasks=n_t,
                n_workers=n_w,
                n_classes=2,
            )
            for j in range(present.shape[1])
        ]
        self.probas_ = np.column_stack([m.probas_[:, 1] for m in self.models_])
        self.labels_ = self.probas_ >= self.threshold
        return self

    def fit_frame(self, frame: pd.DataFrame, separator: str = "|") -> Self:
        """Fit on ``task, worker, label`` rows whose label is a collection or a joined string.

        A label cell may be a list/tuple/set of labels, or text joined by ``separator``
        (empty text = no label). Repeated (task, worker) rows keep the last.

        Raises:
            QualityInputError: On missing columns or empty input.

        """
        require_columns(frame, ["task", "worker", "label"])
        frame, _ = keep_last(frame, ["task", "worker"])
        sets = [_as_set(cell, separator) for cell in frame["label"]]
        label_ids = sorted({label for chosen in sets for label in chosen}, key=str)
        if not label_ids:
            raise QualityInputError("no worker chose any label")
        column = {label: j for j, label in enumerate(label_ids)}
        matrix = np.zeros((len(sets), len(label_ids)), dtype=np.intp)
        rows = [i for i, chosen in enumerate(sets) for _ in chosen]
        cols = [column[label] for chosen in sets for label in chosen]
        matrix[rows, cols] = 1
        task_idx, tasks = factorize(frame["task"], sort=False)
        worker_idx, _ = factorize(frame["worker"], sort=False)
        self.fit(task_idx, worker_idx, matrix)
        self.task_ids_ = tasks
        self.label_ids_ = np.asarray(label_ids, dtype=object)
        return self

    def result_frame(self, separator: str = "|") -> pd.DataFrame:
        """Columns ``task, label, confidence``: the delivered label set joined by ``separator``.

        ``confidence`` is the probability of the delivered set under independent labels.
        """
        if self.task_ids_ is None or self.label_ids_ is None:
            raise QualityInputError("fit_frame first: the model was fitted on codes")
        names = self.label_ids_
        joined = [separator.join(str(x) for x in names[row]) for row in self.labels_]
        chance = label_set_probability(self.probas_, self.labels_)
        return pd.DataFrame({"task": self.task_ids_, "label": joined, "confidence": chance})


def _as_set(cell: Any, separator: str) -> list[Any]:
    if isinstance(cell, str):
        return [part for part in (p.strip() for p in cell.split(separator)) if part]
    if isinstance(cell, Iterable):
        return list(dict.fromkeys(cell))
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return []
    return [cell]


def label_set_probability(probas: FloatArray, chosen: NDArray[np.bool_]) -> FloatArray:
    """Probability of each row's chosen set under independent per-label posteriors."""
    return np.asarray(np.where(chosen, probas, 1.0 - probas).prod(axis=1), dtype=np.float64)
