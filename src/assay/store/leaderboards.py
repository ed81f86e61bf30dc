"""Reads behind leaderboards: a project's votes, the answers voted on, and the raters' record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.store.models import Response, Task
from assay.store.models.rlhf import ChatConversation, ChatNode, Generation


def comparison_responses(session: Session, project_id: str) -> Sequence[Any]:
    """Every response of a project with what a vote needs, oldest first.

    Columns: ``id, worker_id, task_id, answer, reviewed_answer, active_time_ms, status``.
    """
    query = select(
        Response.id,
        Response.worker_id,
        Response.task_id,
        Response.answer,
        Response.reviewed_answer,
        Response.active_time_ms,
        Response.status,
    ).where(Response.project_id == project_id)
    return session.execute(query.order_by(Response.id)).all()


def done_generations(session: Session, project_id: str) -> Sequence[Any]:
    """The project's finished generations of comparison tasks.

    Columns: ``task_id, position, variant_id, endpoint_id, content``.
    """
    query = select(
        Generation.task_id,
        Generation.position,
        Generation.variant_id,
        Generation.endpoint_id,
        Generation.content,
    ).where(
        Generation.project_id == project_id,
        Generation.status == "done",
        Generation.task_id.is_not(None),
    )
    return session.execute(query).all()


def task_prompts(session: Session, project_id: str) -> Sequence[Any]:
    """Each task's payload and metadata (the prompt and the category live there).

    Columns: ``id, payload, metadata``.
    """
    query = select(Task.id, Task.payload, Task.metadata_.label("metadata")).where(
        Task.project_id == project_id
    )
    return session.execute(query).all()


def chat_picks(session: Session, project_id: str) -> Sequence[Any]:
    """Every assistant message of a chat project's conversations, with its conversation's worker.

    Columns: ``id, parent_id, author_kind, variant_id, author_id, content, chosen,
    rewrite_of, worker_id``.
    """
    query = (
        select(
            ChatNode.id,
            ChatNode.parent_id,
            ChatNode.author_kind,
            ChatNode.variant_id,
            ChatNode.author_id,
            ChatNode.content,
            ChatNode.chosen,
            ChatNode.rewrite_of,
            ChatConversation.worker_id,
        )
        .join(ChatConversation, ChatConversation.id == ChatNode.conversation_id)
        .where(ChatConversation.project_id == project_id, ChatNode.role == "assistant")
    )
    return session.execute(query.order_by(ChatNode.id)).all()
