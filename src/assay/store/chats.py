"""Queries for live chat conversations and the trees of their messages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.store.models.rlhf import ChatConversation, ChatNode


def insert_conversation(session: Session, conversation: ChatConversation) -> None:
    """Store a new conversation."""
    session.add(conversation)
    session.flush()


def get_conversation(
    session: Session, org_id: str, conversation_id: str, *, lock: bool = False
) -> ChatConversation | None:
    """Return a conversation of this organisation, optionally locked until the transaction ends."""
    query = select(ChatConversation).where(
        ChatConversation.org_id == org_id, ChatConversation.id == conversation_id
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def list_conversations(
    session: Session,
    org_id: str,
    project_id: str,
    *,
    worker_id: str | None = None,
    after_id: str | None = None,
    limit: int = 100,
) -> list[ChatConversation]:
    """List a project's conversations (optionally one worker's), oldest first."""
    query = select(ChatConversation).where(
        ChatConversation.org_id == org_id, ChatConversation.project_id == project_id
    )
    if worker_id is not None:
        query = query.where(ChatConversation.worker_id == worker_id)
    if after_id is not None:
        query = query.where(ChatConversation.id > after_id)
    return list(session.scalars(query.order_by(ChatConversation.id).limit(limit)))


def insert_nodes(session: Session, *nodes: ChatNode) -> None:
    """Store messages of a conversation."""
    session.add_all(nodes)
    session.flush()


def list_nodes(session: Session, conversation_id: str) -> list[ChatNode]:
    """Every message of a conversation, in the order they were made."""
    query = select(ChatNode).where(ChatNode.conversation_id == conversation_id)
    return list(session.scalars(query.order_by(ChatNode.created_at, ChatNode.id)))


def list_children(session: Session, parent_id: str) -> list[ChatNode]:
    """List the messages directly under one message, left first."""
    query = select(ChatNode).where(ChatNode.parent_id == parent_id)
    return list(session.scalars(query.order_by(ChatNode.position, ChatNode.id)))
