"""Exports of a project's results or raw responses as JSONL or Parquet, streamed in chunks.

``kind="results"``: one row per task that has a result (the task document of
:mod:`assay.services.documents`). ``kind="responses"``: one row per response, carrying its task's
ids and payload. The Parquet schemas are fixed; fields whose shape depends on the project's
template (answers, payloads, telemetry...) are JSON strings there. See ``exports.md``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import pyarrow as pa
import pyarrow.parquet as pq

from assay.domain.enums import Role
from assay.errors import InvalidInput, NotFound
from assay.services.actor import Actor
from assay.services.documents import Document, iter_task_documents, to_json_bytes
from assay.services.export_schema import parquet_row, parquet_schema
from assay.store import Session
from assay.store import documents as store

ExportFormat = Literal["jsonl", "parquet"]
ExportKind = Literal["results", "responses"]
CONTENT_TYPES: dict[str, str] = {
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
ROW_GROUP_ROWS = 10_000
JSONL_CHUNK_BYTES = 256 * 1024
RowsCallback = Callable[[int], None]


@dataclass(frozen=True)
class ExportPlan:
    """A checked export request: who may see what, in which format."""

    org_id: str
    project_id: str
    fmt: ExportFormat
    kind: ExportKind
    include_gold: bool

    @property
    def content_type(self) -> str:
        """The media type of the stream."""
        return CONTENT_TYPES[self.fmt]

    @property
    def filename(self) -> str:
        """A file name to save the stream under."""
        return f"{self.project_id}-{self.kind}.{self.fmt}"


def plan_export(session: Session, actor: Actor, project_id: str, fmt: str, kind: str) -> ExportPlan:
    """Check an export request before any byte is streamed.

    Raises:
        PermissionDenied: workers and reviewers may not export.
        InvalidInput: unknown format or kind.
        NotFound: the project is not in the actor's organisation.

    """
    actor.require(Role.REQUESTER)
    if fmt not in get_args(ExportFormat):
        raise InvalidInput(f"Unknown export format {fmt!r}; choose jsonl or parquet.")
    if kind not in get_args(ExportKind):
        raise InvalidInput(f"Unknown export kind {kind!r}; choose results or responses.")
    if not store.project_exists(session, actor.org_id, project_id):
        raise NotFound(f"No project {project_id!r} in this organisation.")
    return ExportPlan(
        org_id=actor.org_id,
        project_id=project_id,
        fmt=cast(ExportFormat, fmt),  # checked against the Literal above
        kind=cast(ExportKind, kind),
        include_gold=actor.role in (Role.REQUESTER, Role.ADMIN),
    )


def export_project(
    session: Session,
    actor: Actor,
    project_id: str,
    fmt: str,
    kind: str,
    *,
    on_rows: RowsCallback | None = None,
) -> Iterator[bytes]:
    """Stream the export as byte chunks; the request is checked before this returns."""
    plan = plan_export(session, actor, project_id, fmt, kind)
    return stream_export(session, plan, on_rows=on_rows)


def count_export_rows(session: Session, actor: Actor, project_id: str, kind: str) -> int:
    """Count the rows the export will have (for a progress bar)."""
    plan = plan_export(session, actor, project_id, "jsonl", kind)
    if plan.kind == "results":
        return store.count_tasks(session, plan.org_id, project_id, with_result_only=True)
    return store.count_responses(session, plan.org_id, project_id)


def system_actor_for_project(session: Session, project_id: str) -> Actor:
    """Act as an admin of the project's organisation (local tools with database access only).

    Raises:
        NotFound: there is no such project.

    """
    org_id = store.get_project_org_id(session, project_id)
    if org_id is None:
        raise NotFound(f"No project {project_id!r}.")
    return Actor(org_id=org_id, role=Role.ADMIN)


def stream_export(
    session: Session, plan: ExportPlan, *, on_rows: RowsCallback | None = None
) -> Iterator[bytes]:
    """Stream a checked export; ``on_rows(n)`` is told each time ``n`` more rows went out."""
    rows = _iter_rows(session, plan)
    if plan.fmt == "jsonl":
        return _jsonl_chunks(rows, on_rows)
    return _parquet_chunks(rows, plan.kind, on_rows)


def _iter_rows(session: Session, plan: ExportPlan) -> Iterator[Document]:
    documents = iter_task_documents(
        session,
        plan.org_id,
        plan.project_id,
        include_gold=plan.include_gold,
        with_result_only=plan.kind == "results",
        end_transaction_per_batch=True,
    )
    for document in documents:
        if plan.kind == "results":
            yield document
        else:
            yield from response_rows(document)


def response_rows(document: Document) -> list[Document]:
    """Split a task document into one row per response, carrying the task's ids and payload."""
    result = document["result"]
    in_result = set(result["response_ids"]) if result else set()
    task_fields = {
        "task_id": document["task_id"],
        "unique_id": document["unique_id"],
        "project_id": document["project_id"],
        "batch_id": document["batch_id"],
        "is_gold": document["is_gold"],
        "gold_answer": document.get("gold_answer"),
        "task_payload": document["payload"],
        "task_metadata": document["metadata"],
    }
    rows = []
    for response in document["responses"]:
        row = {"response_id": response["id"], **task_fields}
        row.update({k: v for k, v in response.items() if k != "id"})
        row["in_result"] = response["id"] in in_result
        rows.append(row)
    return rows


def _jsonl_chunks(rows: Iterator[Document], on_rows: RowsCallback | None) -> Iterator[bytes]:
    buffer = bytearray()
    pending = 0
    for row in rows:
        buffer += to_json_bytes(row)
        buffer += b"\n"
        pending += 1
        if len(buffer) >= JSONL_CHUNK_BYTES:
            yield bytes(buffer)
            buffer.clear()
            pending = _report(on_rows, pending)
    if buffer:
        yield bytes(buffer)
    _report(on_rows, pending)


def _report(on_rows: RowsCallback | None, count: int) -> int:
    if on_rows is not None and count:
        on_rows(count)
    return 0


class _ChunkSink(io.RawIOBase):
    """A write-only file that hands back what was written since the last drain."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _parquet_chunks(
    rows: Iterator[Document], kind: ExportKind, on_rows: RowsCallback | None
) -> Iterator[bytes]:
    schema = parquet_schema(kind)
    sink = _ChunkSink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    group: list[dict[str, Any]] = []

    def flush() -> bytes:
        writer.write_table(pa.Table.from_pylist(group, schema=schema), ROW_GROUP_ROWS)
        _report(on_rows, len(group))
        group.clear()
        return sink.drain()

    try:
        for row in rows:
            group.append(parquet_row(kind, row))
            if len(group) >= ROW_GROUP_ROWS:
                yield flush()
        if group:
            yield flush()
    finally:
        writer.close()
    yield sink.drain()
