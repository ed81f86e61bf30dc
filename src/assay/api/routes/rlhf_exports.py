"""Training exports: JSONL in the formats trainers read (TRL, SFT messages, OpenAI)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from assay.api.deps import ActorDep, SessionDep, SessionFactoryDep
from assay.services import training_exports as service
from assay.services.training_exports import TrainingFormat

router = APIRouter(prefix="/v1/projects", tags=["exports"])


@router.get(
    "/{project_id}/export/training",
    response_class=StreamingResponse,
    responses={
        200: {"description": "JSONL, one example a line.", "content": {"application/x-ndjson": {}}}
    },
)
def export_training(
    project_id: str,
    actor: ActorDep,
    session: SessionDep,
    session_factory: SessionFactoryDep,
    fmt: Annotated[TrainingFormat, Query(alias="format")],
    side_columns: Annotated[bool, Query(description="Keep rater-quality columns.")] = True,
) -> StreamingResponse:
    """Download a project's data as training examples.

    `trl-dpo`, `trl-rm`, `trl-kto`: TRL's conversational preference, reward and unpaired
    formats; `sft-messages` and `openai-chat`: `{messages}` conversations;
    `openai-preference`: OpenAI's preference fine-tuning format. Every row keeps side columns:
    rater ids, their gold accuracy and active time, agreement, strength, axes, reasons (under
    `metadata` in the OpenAI formats; `side_columns=false` leaves them out).
    """
    plan = service.plan_training_export(session, actor, project_id, fmt, side_columns=side_columns)

    def body() -> Iterator[bytes]:
        # The stream outlives the request's session, so it reads through a session of its own.
        with session_factory() as stream_session:
            yield from service.stream_training_export(stream_session, plan)

    headers = {"Content-Disposition": f'attachment; filename="{plan.filename}"'}
    return StreamingResponse(body(), media_type=service.CONTENT_TYPE, headers=headers)
