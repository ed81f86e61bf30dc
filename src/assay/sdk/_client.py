"""``Client``: every requester and worker action of the REST API as a typed Python method."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx

from assay.sdk._bulk import TaskLike, chunks, combine, send_chunks
from assay.sdk._errors import AssayAPIError
from assay.sdk._files import MediaSource, download, upload
from assay.sdk._http import HttpSession
from assay.sdk._models import (
    Assignment,
    AuditEvent,
    Batch,
    Guidelines,
    ImportReport,
    Lease,
    Media,
    Project,
    ProjectSummary,
    Result,
    Submission,
    Task,
    TaskDetail,
)

DEFAULT_TIMEOUT = 60.0
PAGE_SIZE = 1000
ExportFormat = Literal["jsonl", "parquet"]
ExportKind = Literal["results", "responses"]
# Called after each chunk with (tasks sent so far, total if known).
ProgressCallback = Callable[[int, int | None], None]


class Client:
    """A typed client of one Assay server, acting with one API key.

    Args:
        base_url: The server's root URL, e.g. ``http://127.0.0.1:8000``.
        api_key: An API key (``assay keys create``); its role decides what the client may do.
        timeout: Seconds to wait for the server on each request.
        transport: An httpx transport to send through (proxies, tests, custom TLS).
        max_retries: Extra attempts for safe requests that fail with a connection error or a
            502/503/504; requests that are not idempotent are resent only when the connection
            was refused (the server never saw them).
        http: An ``httpx.Client`` to use instead of creating one (for example FastAPI's
            ``TestClient`` to call an app in-process); the caller keeps ownership of it.
        backoff: Seconds before the first retry; doubled after each one.

    Example:
        >>> with Client("http://127.0.0.1:8000", "assay_...") as client:  # doctest: +SKIP
        ...     project = client.create_project("Sentiment", template)
        ...     client.submit_tasks(project.id, tasks)

    Raises (from every method):
        AssayAPIError: The server refused the request or failed; see its status and code.
        httpx.TransportError: The server could not be reached after the retries.

    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        max_retries: int = 3,
        http: httpx.Client | None = None,
        backoff: float = 0.5,
    ) -> None:
        self._owns_http = http is None
        if http is None:
            http = httpx.Client(timeout=timeout, transport=transport)
        self._session = HttpSession(
            base_url, api_key, http, max_retries=max_retries, backoff=backoff
        )

    def close(self) -> None:
        """Close the connections this client opened (not an ``http`` client passed in)."""
        if self._owns_http:
            self._session.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Projects -------------------------------------------------------------------------------

    def create_project(
        self,
        name: str,
        template: Mapping[str, Any],
        *,
        guidelines: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> Project:
        """Create a project from a template.

        Args:
            name: The project's name.
            template: Fields to display and questions to ask (see the API docs).
            guidelines: The first guideline version: ``goal``, ``principles``, ``examples``,
                ``body``.
            **settings: Any other project setting: ``redundancy``, ``description``,
                ``required_skills``, ``required_locales``, ``gold_rate``,
                ``pay_per_task_cents``, ``time_estimate_seconds``, ``lease_seconds``,
                ``callback_url``, ``review_policy``.

        """
        body: dict[str, Any] = {"name": name, "template": dict(template), **settings}
        if guidelines is not None:
            body["guidelines"] = dict(guidelines)
        return Project.model_validate(
            self._session.request("POST", "/v1/projects", body=body, idempotent=False)
        )

    def get_project(self, project_id: str) -> ProjectSummary:
        """Fetch a project with its task counts by state."""
        return ProjectSummary.model_validate(self._get(f"/v1/projects/{project_id}"))

    def list_projects(self) -> list[Project]:
        """List the organisation's projects, newest first."""
        return [Project.model_validate(p) for p in self._get("/v1/projects")]

    def update_project(self, project_id: str, **changes: Any) -> Project:
        """Change project settings; only the keyword arguments given are changed.

        Args:
            project_id: The project.
            **changes: Any of ``name``, ``description``, ``redundancy``, ``required_skills``,
                ``required_locales``, ``gold_rate``, ``pay_per_task_cents``,
                ``time_estimate_seconds``, ``lease_seconds``, ``callback_url`` (``None``
                clears it), ``review_policy``, ``status`` (active, paused, archived).

        """
        answer = self._session.request(
            "PATCH", f"/v1/projects/{project_id}", body=changes, idempotent=True
        )
        return Project.model_validate(answer)

    def publish_guidelines(
        self,
        project_id: str,
        *,
        goal: str = "",
        principles: Iterable[str] = (),
        examples: Iterable[Mapping[str, Any]] = (),
        body: str = "",
    ) -> Guidelines:
        """Publish a new guideline version; responses from now on record it."""
        guidelines = {
            "goal": goal,
            "principles": list(principles),
            "examples": [dict(e) for e in examples],
            "body": body,
        }
        answer = self._session.request(
            "POST", f"/v1/projects/{project_id}/guidelines", body=guidelines, idempotent=False
        )
        return Guidelines.model_validate(answer)

    def list_guidelines(self, project_id: str) -> list[Guidelines]:
        """List every guideline version of a project, newest first."""
        versions = self._get(f"/v1/projects/{project_id}/guidelines")
        return [Guidelines.model_validate(g) for g in versions]

    def create_batch(self, project_id: str, name: str = "") -> Batch:
        """Create an empty batch to submit tasks into."""
        answer = self._session.request(
            "POST", f"/v1/projects/{project_id}/batches", body={"name": name}, idempotent=False
        )
        return Batch.model_validate(answer)

    def list_batches(self, project_id: str) -> list[Batch]:
        """List a project's batches."""
        return [Batch.model_validate(b) for b in self._get(f"/v1/projects/{project_id}/batches")]

    # Tasks ----------------------------------------------------------------------------------

    def submit_tasks(
        self,
        project_id: str,
        tasks: Iterable[TaskLike],
        *,
        batch_name: str | None = None,
        batch_id: str | None = None,
        chunk_size: int = 5000,
        progress: ProgressCallback | None = None,
        parallel: int = 1,
    ) -> ImportReport:
        """Submit any number of tasks, ``chunk_size`` per request.

        Each chunk is all-or-nothing and idempotent by ``unique_id``, so a chunk that failed
        with a network error is simply sent again, and re-running the whole call after a crash
        stores nothing twice. A chunk the server refuses (e.g. a payload that does not fit the
        template) raises ``AssayAPIError``; earlier chunks stay stored.

        Args:
            project_id: The project.
            tasks: Dicts (``unique_id``, ``payload``, optional ``priority``, ``metadata``,
                ``gold_answer``) or ``TaskInput`` objects; read lazily, so a generator works.
            batch_name: Put the tasks into a new batch with this name.
            batch_id: Put the tasks into this existing batch.
            chunk_size: Tasks per request (the server accepts up to 50,000).
            progress: Called after each chunk with (tasks sent, total or None).
            parallel: Chunks in flight at once. With 2, the server stores one chunk while the
                next is encoded, sent and checked, but a later chunk may then be stored before
                an earlier one: the queue serves chunks in the order they were stored (a
                chunk's own tasks keep their order), and when a chunk is refused, the one
                sent beside it may be stored.

        Returns:
            One report over every chunk: task ids in input order, created and existing counts.

        """
        if batch_name is not None and batch_id is not None:
            raise ValueError("Give either batch_name or batch_id, not both.")
        if batch_name is not None:
            batch_id = self.create_batch(project_id, batch_name).id
        total = len(tasks) if isinstance(tasks, list | tuple) else None
        path = f"/v1/projects/{project_id}/tasks"
        done = 0

        def send(chunk: list[Mapping[str, Any]]) -> ImportReport:
            body: dict[str, Any] = {"tasks": chunk}
            if batch_id is not None:
                body["batch_id"] = batch_id
            answer = self._session.request("POST", path, body=body, idempotent=True)
            return ImportReport.model_validate(answer)

        def sent(size: int) -> None:
            nonlocal done
            done += size
            if progress is not None:
                progress(done, total)

        pieces = chunks(tasks, chunk_size)
        return combine(send_chunks(send, pieces, parallel=parallel, sent=sent), batch_id)

    def list_tasks(
        self,
        project_id: str,
        *,
        state: str | None = None,
        batch_id: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[Task]:
        """Iterate over a project's tasks in creation order, fetching a page at a time.

        Args:
            project_id: The project.
            state: Only tasks in this state (open, complete, delivered, cancelled).
            batch_id: Only tasks of this batch.
            page_size: Tasks per request (at most 1,000).

        """
        after: str | None = None
        while True:
            params = {"state": state, "batch_id": batch_id, "after": after, "limit": page_size}
            page = self._get(f"/v1/projects/{project_id}/tasks", params)
            for item in page:
                yield Task.model_validate(item)
            if len(page) < page_size:
                return
            after = page[-1]["id"]

    def get_task(self, task_id: str) -> TaskDetail:
        """Fetch a task with its responses (and their reviews) and result."""
        return TaskDetail.model_validate(self._get(f"/v1/tasks/{task_id}"))

    def get_result(self, task_id: str) -> Result:
        """Fetch a task's result; ``AssayAPIError`` (404) while responses are still missing."""
        return Result.model_validate(self._get(f"/v1/tasks/{task_id}/result"))

    def cancel_task(self, task_id: str) -> Task:
        """Stop work on a task; responses already given are kept."""
        answer = self._session.request("POST", f"/v1/tasks/{task_id}/cancel", idempotent=False)
        return Task.model_validate(answer)

    def set_priority(self, task_id: str, priority: int) -> Task:
        """Change a task's priority; higher priorities are served first."""
        answer = self._session.request(
            "PATCH", f"/v1/tasks/{task_id}", body={"priority": priority}, idempotent=True
        )
        return Task.model_validate(answer)

    # The worker's loop ----------------------------------------------------------------------

    def next_task(self, project_id: str | None = None) -> Assignment | None:
        """Lease the next task for this worker key, or ``None`` when nothing is waiting."""
        try:
            answer = self._session.request(
                "POST", "/v1/work/next", body={"project_id": project_id}, idempotent=False
            )
        except AssayAPIError as exc:
            if exc.code == "no_task_available":
                return None
            raise
        return Assignment.model_validate(answer)

    def submit(
        self,
        assignment_id: str,
        answer: Mapping[str, Any],
        *,
        active_time_ms: int | None = None,
        telemetry: Mapping[str, Any] | None = None,
    ) -> Submission:
        """Submit the answer to a leased task (safe to retry: a repeat is ``replayed``)."""
        body: dict[str, Any] = {"answer": dict(answer), "telemetry": dict(telemetry or {})}
        if active_time_ms is not None:
            body["active_time_ms"] = active_time_ms
        result = self._session.request(
            "POST", f"/v1/work/{assignment_id}/submit", body=body, idempotent=True
        )
        return Submission.model_validate(result)

    def heartbeat(self, assignment_id: str, draft: Mapping[str, Any] | None = None) -> Lease:
        """Extend the lease, optionally saving a draft answer on the server."""
        body = {"draft": dict(draft) if draft is not None else None}
        answer = self._session.request(
            "POST", f"/v1/work/{assignment_id}/heartbeat", body=body, idempotent=True
        )
        return Lease.model_validate(answer)

    def release(self, assignment_id: str, reason: str = "") -> Lease:
        """Give the task back unanswered (skip it)."""
        answer = self._session.request(
            "POST", f"/v1/work/{assignment_id}/release", body={"reason": reason}, idempotent=False
        )
        return Lease.model_validate(answer)

    # Files and history ----------------------------------------------------------------------

    def upload_media(
        self,
        source: MediaSource,
        content_type: str | None = None,
        *,
        filename: str | None = None,
    ) -> Media:
        """Upload an image, audio or video file; use ``Media.reference`` in task payloads.

        Args:
            source: A path, the file's bytes, or a binary file object.
            content_type: The media type; guessed from the file name when omitted.
            filename: The name to store; defaults to the path's name.

        """
        return Media.model_validate(upload(self._session, source, content_type, filename))

    def export(
        self,
        project_id: str,
        fmt: ExportFormat = "jsonl",
        kind: ExportKind = "results",
        path: str | os.PathLike[str] | None = None,
    ) -> Path:
        """Stream a project's export to a file, written whole or not at all.

        Args:
            project_id: The project.
            fmt: ``jsonl`` or ``parquet``.
            kind: ``results`` (one row per task with a result) or ``responses`` (one per
                response).
            path: Where to write; defaults to ``<project_id>-<kind>.<fmt>`` in the current folder.

        Returns:
            The path written.

        """
        target = Path(path) if path is not None else Path(f"{project_id}-{kind}.{fmt}")
        params = {"format": fmt, "kind": kind}
        return download(self._session, f"/v1/projects/{project_id}/export", params, target)

    def audit_events(
        self,
        *,
        object_type: str | None = None,
        object_id: str | None = None,
        limit: int | None = None,
    ) -> Iterator[AuditEvent]:
        """Iterate over the organisation's audit log, newest first, a page at a time.

        Args:
            object_type: Only events about this kind of object (project, task, api_key...).
            object_id: Only events about this object.
            limit: Stop after this many events.

        """
        before: int | None = None
        seen = 0
        while limit is None or seen < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - seen)
            params = {
                "object_type": object_type,
                "object_id": object_id,
                "before": before,
                "limit": size,
            }
            page = self._get("/v1/audit", params)
            for item in page:
                yield AuditEvent.model_validate(item)
            seen += len(page)
            if len(page) < size:
                return
            before = page[-1]["id"]

    def _get(self, path: str, params: Mapping[str, str | int | None] | None = None) -> Any:
        return self._session.request("GET", path, params=params, idempotent=True)
