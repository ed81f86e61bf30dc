"""Streaming exports of a project's results or raw responses (JSONL or Parquet)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from assay.api.deps import ActorDep, SessionDep, SessionFactoryDep
from assay.services import exports as service

router = APIRouter(prefix="/v1/projects", tags=["exports"])


@router.get(
    "/{project_id}/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The export file, streamed (see services/exports.md for the schema).",
            "content": {"application/x-ndjson": {}, "application/vnd.apache.parquet": {}},
        }
    },
)
def export_project(
    project_id: str,
    actor: ActorDep,
    session: SessionDep,
    session_factory: SessionFactoryDep,
    fmt: Annotated[Literal["jsonl", "parquet"], Query(alias="format")] = "jsonl",
    kind: Annotated[Literal["results", "responses"], Query()] = "results",
) -> StreamingResponse:
    """Download a project's results (one row per task) or responses (one row per response)."""
    plan = service.plan_export(session, actor, project_id, fmt, kind)
    # End the check's read transaction now: the request session lives until the stream ends,
    # and on SQLite an open transaction holds the database lock.
    session.rollback()

    def body() -> Iterator[bytes]:
        # The stream outlives the request's session, so it reads through a session of its own.
        with session_factory() as stream_session:
            yield from service.stream_export(stream_session, plan)

    headers = {"Content-Disposition": f'attachment; filename="{plan.filename}"'}
    return StreamingResponse(body(), media_type=plan.content_type, headers=headers)
