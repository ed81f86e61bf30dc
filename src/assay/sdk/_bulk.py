"""Bulk helpers: cut a long (or endless) stream of tasks into request-sized chunks, send them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
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


def send_chunks(
    send: Callable[[list[Mapping[str, Any]]], ImportReport],
    pieces: Iterable[list[Mapping[str, Any]]],
    *,
    parallel: int,
    sent: Callable[[int], None],
) -> list[ImportReport]:
    """Send every chunk, at most ``parallel`` at a time; the reports in the chunks' order.

    ``sent`` is called with each chunk's size as its report arrives, in the chunks' order.
    Chunks are read lazily: no more than ``parallel`` are held at once. When one fails, the
    ones already on their way finish (and may be stored) before its error is raised.
    """
    if parallel < 1:
        raise ValueError("parallel must be at least 1")
    reports: list[ImportReport] = []
    if parallel == 1:
        for chunk in pieces:
            reports.append(send(chunk))
            sent(len(chunk))
        return reports
    with ThreadPoolExecutor(parallel, thread_name_prefix="assay-import") as pool:
        waiting: deque[tuple[Future[ImportReport], int]] = deque()
        for chunk in pieces:
            if len(waiting) == parallel:
                reports.append(_collect(waiting, sent))
            waiting.append((pool.submit(send, chunk), len(chunk)))
        while waiting:
            reports.append(_collect(waiting, sent))
    return reports


def _collect(
    waiting: deque[tuple[Future[ImportReport], int]], sent: Callable[[int], None]
) -> ImportReport:
    future, size = waiting.popleft()
    report = future.result()
    sent(size)
    return report
