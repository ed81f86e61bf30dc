"""Bulk helpers: cut a long (or endless) stream of tasks into request-sized chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from assay.sdk._models import ImportReport, TaskInput

TaskLike = Mapping[str, Any] | TaskInput


def task_body(task: TaskLike) -> Mapping[str, Any]:
    """Make the JSON object the server expects for one task."""
    if isinstance(task, TaskInput):
        return task.model_dump(exclude_none=True)
    return task


def chunks(tasks: Iterable[TaskLike], size: int) -> Iterator[list[Mapping[str, Any]]]:
    """Successive lists of at most ``size`` task bodies, reading ``tasks`` lazily."""
    if size < 1:
        raise ValueError("chunk_size must be at least 1")
    iterator = iter(tasks)
    while chunk := [task_body(t) for t in islice(iterator, size)]:
        yield chunk


def combine(reports: list[ImportReport], batch_id: str | None) -> ImportReport:
    """One report for a submission sent in several chunks."""
    return ImportReport(
        batch_id=batch_id,
        created=sum(r.created for r in reports),
        existing=sum(r.existing for r in reports),
        task_ids=[task_id for r in reports for task_id in r.task_ids],
    )
