"""Encode annotation rows to integer codes once, and check integer-coded input.

Every algorithm works on integer codes (``task_idx``, ``worker_idx``, ``label_idx``) and the
sizes ``n_tasks``, ``n_workers``, ``n_classes``. The frame front turns a pandas DataFrame with
Crowd-Kit's columns into those codes here, and remembers the original ids for decoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from assay.quality.errors import QualityInputError

IntArray = NDArray[np.integer[Any]]
FloatArray = NDArray[np.float64]
_NATIVE = (np.dtype(np.int32), np.dtype(np.int64))


@dataclass(frozen=True)
class LabelCodes:
    """Integer-coded categorical annotations: one row per (task, worker, label).

    Attributes:
        task_idx: Task code of each row, in ``[0, n_tasks)``.
        worker_idx: Worker code of each row, in ``[0, n_workers)``.
        label_idx: Label code of each row, in ``[0, n_classes)``.
        n_tasks: Number of tasks (tasks without rows are allowed).
        n_workers: Number of workers.
        n_classes: Number of classes (classes nobody used are allowed).

    """

    task_idx: IntArray
    worker_idx: IntArray
    label_idx: IntArray
    n_tasks: int
    n_workers: int
    n_classes: int

    @property
    def n_rows(self) -> int:
        """Number of annotation rows."""
        return int(self.task_idx.shape[0])


def as_codes(values: ArrayLike, name: str, size: int | None) -> tuple[IntArray, int]:
    """Check one integer code array and return it (as ``intp``) with its size.

    Args:
        values: 1-D array of non-negative integers.
        name: The argument's name, for error messages.
        size: The number of distinct codes; ``max + 1`` when None.

    Returns:
        The codes (int32 or int64, not copied when already so) and the size.

    Raises:
        QualityInputError: If the codes are not 1-D integers in ``[0, size)``.

    """
    array = np.asarray(values)
    if array.ndim != 1:
        raise QualityInputError(f"{name} must be one-dimensional", {"shape": array.shape})
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise QualityInputError(f"{name} must hold integer codes", {"dtype": str(array.dtype)})
    # int32 and int64 codes are used as given (no copy); other integer types are widened
    codes = array if array.dtype in _NATIVE else array.astype(np.int64)
    if codes.size and int(codes.min()) < 0:
        raise QualityInputError(f"{name} has negative codes")
    top = int(codes.max()) + 1 if codes.size else 0
    if size is None:
        size = top
    elif top > size:
        raise QualityInputError(f"{name} has codes >= {size}", {"max": top - 1})
    return codes, int(size)


def check_codes(
    task_idx: ArrayLike,
    worker_idx: ArrayLike,
    label_idx: ArrayLike,
    n_tasks: int | None = None,
    n_workers: int | None = None,
    n_classes: int | None = None,
) -> LabelCodes:
    """Validate integer-coded annotations and bundle them.

    Raises:
        QualityInputError: On empty input, unequal lengths or codes out of range.

    """
    tasks, n_t = as_codes(task_idx, "task_idx", n_tasks)
    workers, n_w = as_codes(worker_idx, "worker_idx", n_workers)
    labels, n_c = as_codes(label_idx, "label_idx", n_classes)
    if not (tasks.shape == workers.shape == labels.shape):
        raise QualityInputError(
            "task_idx, worker_idx and label_idx must have the same length",
            {"lengths": [tasks.size, workers.size, labels.size]},
        )
    if tasks.size == 0:
        raise QualityInputError("no labels to aggregate: the input is empty")
    return LabelCodes(tasks, workers, labels, n_t, n_w, n_c)


@dataclass(frozen=True)
class EncodedLabels:
    """Categorical annotations from a DataFrame, coded once, with the original ids.

    Attributes:
        codes: The integer codes.
        tasks: Original task ids, indexed by task code (first-appearance order; integer ids
            numerically).
        workers: Original worker ids, indexed by worker code.
        classes: Original labels, indexed by class code (sorted when sortable).
        n_duplicates: Number of repeated (task, worker) rows dropped (the last one is kept).

    """

    codes: LabelCodes
    tasks: NDArray[Any]
    workers: NDArray[Any]
    classes: NDArray[Any]
    n_duplicates: int


def require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise a clear error when the frame lacks columns or rows.

    Raises:
        QualityInputError: If a column is missing or the frame is empty.

    """
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise QualityInputError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}",
            {"missing": missing, "columns": [str(c) for c in frame.columns]},
        )
    if len(frame) == 0:
        raise QualityInputError("no labels to aggregate: the input is empty")


def keep_last(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """Drop repeated rows with the same ``keys``, keeping the last one.

    Returns:
        The deduplicated frame and the number of rows dropped.

    """
    repeated = frame.duplicated(subset=list(keys), keep="last").to_numpy()
    dropped = int(repeated.sum())
    if dropped:
        frame = frame.loc[~repeated]
    return frame, dropped


def repeated_pairs(
    first: IntArray, second: IntArray, n_first: int, n_second: int
) -> NDArray[np.bool_] | None:
    """Rows whose (first, second) pair comes again later; None when no pair repeats.

    Rows grouped by ``first`` in short runs (an export ordered by task) are compared with
    their few neighbours in the run, a handful of vectorised passes. Otherwise the common
    case (no repeats) is settled by one sparse build, O(rows) with 5 bytes per row of
    memory; only when a pair does repeat is a hash table built over the rows.
    """
    grouped = _repeats_within_runs(first, second)
    if grouped is not None:
        return grouped if grouped.any() else None
    ones = np.ones(first.shape[0], dtype=np.int8)
    pairs = sp.csr_array((ones, (first, second)), shape=(n_first, n_second))
    pairs.sum_duplicates()
    if pairs.nnz == first.shape[0]:
        return None
    key = first.astype(np.int64) * n_second + second
    return np.asarray(pd.Series(key).duplicated(keep="last").to_numpy(), dtype=bool)


# Longest run of equal ``first`` codes compared pass by pass; longer runs take the sparse way.
_NEIGHBOUR_PASSES = 16


def _repeats_within_runs(first: IntArray, second: IntArray) -> NDArray[np.bool_] | None:
    """``repeated_pairs`` for rows in runs of equal ``first``; None if they are not so ordered.

    A pair can only repeat inside its run, so each pass ``d`` compares every row with the
    row ``d`` places later: one pass fewer than the longest run (a sixth of the sparse way's
    time at five rows per task).
    """
    size = first.shape[0]
    if size < 2 or bool((first[1:] < first[:-1]).any()):
        return None
    starts = np.flatnonzero(first[1:] != first[:-1]) + 1
    longest = int(np.diff(starts, prepend=0, append=size).max())
    if longest > _NEIGHBOUR_PASSES:
        return None
    later = np.zeros(size, dtype=bool)
    for d in range(1, longest):
        same = first[d:] == first[:-d]
        same &= second[d:] == second[:-d]
        later[:-d] |= same
    return later


def factorize(values: pd.Series | NDArray[Any], *, sort: bool) -> tuple[IntArray, NDArray[Any]]:
    """Code values once, returning int32 codes when they fit.

    Non-negative integer ids of modest range are coded through a lookup table (ordered
    numerically, O(rows + range) time, ~4 bytes per row); anything else goes through
    ``pd.factorize`` (uniques sorted when asked and orderable, else in first-appearance order).
    """
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if np.issubdtype(array.dtype, np.integer) and array.size:
        low, high = int(array.min()), int(array.max())
        if low >= 0 and high < 4 * array.size + 65536:
            present = np.zeros(high + 1, dtype=bool)
            present[array] = True
            lookup = np.cumsum(present, dtype=np.int32) - 1
            return lookup[array], np.flatnonzero(present).astype(array.dtype)
    try:
        codes, found = pd.factorize(values, sort=sort)
    except TypeError:  # mixed, unorderable labels: keep first-appearance order
        codes, found = pd.factorize(values, sort=False)
    small = len(found) < np.iinfo(np.int32).max
    return codes.astype(np.int32 if small else np.int64), np.asarray(found, dtype=object)


def code_with_classes(values: pd.Series, classes: Sequence[Any]) -> tuple[IntArray, NDArray[Any]]:
    """Code labels against a given class list (which may hold classes nobody used).

    Raises:
        QualityInputError: If a label is not in ``classes`` or ``classes`` repeats a value.

    """
    class_array = np.asarray(list(classes), dtype=object)
    index = pd.Index(class_array)
    if not index.is_unique:
        raise QualityInputError("classes must not repeat")
    codes = index.get_indexer(values)
    if (codes < 0).any():
        unknown = sorted({str(v) for v in np.asarray(values)[codes < 0]})[:10]
        raise QualityInputError("labels not in the given classes", {"unknown": unknown})
    return codes.astype(np.int32), class_array


def encode_labels(
    frame: pd.DataFrame,
    *,
    classes: Sequence[Any] | None = None,
    task: str = "task",
    worker: str = "worker",
    label: str = "label",
) -> EncodedLabels:
    """Encode a ``task, worker, label`` frame; repeated (task, worker) rows keep the last.

    Args:
        frame: One row per answer, with Crowd-Kit's column names.
        classes: The full class list, to include classes nobody used; default the labels seen.
        task: Name of the task column.
        worker: Name of the worker column.
        label: Name of the label column.

    Returns:
        The codes and the original ids.

    Raises:
        QualityInputError: On missing columns, empty input or missing values.

    """
    require_columns(frame, [task, worker, label])
    if frame[[task, worker, label]].isna().to_numpy().any():
        raise QualityInputError("task, worker and label must not be missing")
    task_idx, tasks = factorize(frame[task], sort=False)
    worker_idx, workers = factorize(frame[worker], sort=False)
    labels = frame[label]
    repeated = repeated_pairs(task_idx, worker_idx, len(tasks), len(workers))
    dropped = 0
    if repeated is not None:
        keep = ~repeated
        dropped = int(repeated.sum())
        task_idx, worker_idx, labels = task_idx[keep], worker_idx[keep], labels[keep]
    if classes is None:
        label_idx, class_ids = factorize(labels, sort=True)
    else:
        label_idx, class_ids = code_with_classes(labels, classes)
    codes = LabelCodes(task_idx, worker_idx, label_idx, len(tasks), len(workers), len(class_ids))
    return EncodedLabels(codes, tasks, workers, class_ids, dropped)
