"""Live chat collection: chat projects, conversations, turns with two candidate replies, picks.

Workers see candidate replies under opaque ids, A first; which model wrote one is shown to
requesters only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from assay.api.deps import ActorDep, SessionDep
from assay.api.model_deps import ModelPoolDep
from assay.api.schemas.projects import ProjectPublic
from assay.api.schemas.rlhf import (
    ChatNodePublic,
    ChatTreePublic,
    ConversationPublic,
    TurnPublic,
)
from assay.domain.rlhf import ChatChoice, ChatProjectCreate, ChatStart, ChatTurn
from assay.services import chats as service
from assay.store.models.rlhf import ChatNode

router = APIRouter(prefix="/v1", tags=["chats"])


def _node(node: ChatNode, *, reveal_models: bool = False) -> ChatNodePublic:
    return ChatNodePublic(
        id=node.id,
        parent_id=node.parent_id,
        role=node.role,
        content=node.content,
        author=node.author_kind,
        endpoint_id=node.author_id if reveal_models and node.author_kind == "model" else None,
        position=node.position,
        chosen=node.chosen,
        rewritten=node.rewritten,
        rewrite_of=node.rewrite_of,
        strength=node.strength,
        reason=node.reason,
        created_at=node.created_at,
    )


@router.post("/chat-projects", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
def create_chat_project(
    spec: ChatProjectCreate, actor: ActorDep, session: SessionDep
) -> ProjectPublic:
    """Create a live chat collection project over two or more model endpoints."""
    return ProjectPublic.model_validate(service.create_chat_project(session, actor, spec))


@router.post("/chats", response_model=ConversationPublic, status_code=status.HTTP_201_CREATED)
def start_chat(spec: ChatStart, actor: ActorDep, session: SessionDep) -> ConversationPublic:
    """Open a conversation (workers)."""
    return ConversationPublic.model_validate(service.start_conversation(session, actor, spec))


@router.get("/chats", response_model=list[ConversationPublic])
def list_chats(
    actor: ActorDep,
    session: SessionDep,
    project_id: Annotated[str, Query()],
    after: Annotated[str | None, Query(description="Return conversations after this id.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ConversationPublic]:
    """List a project's conversations: every one for requesters, their own for workers."""
    conversations = service.list_conversations(
        session, actor, project_id, after_id=after, limit=limit
    )
    return [ConversationPublic.model_validate(c) for c in conversations]


@router.get("/chats/{conversation_id}", response_model=ChatTreePublic)
def get_chat(conversation_id: str, actor: ActorDep, session: SessionDep) -> ChatTreePublic:
    """Return a conversation with its whole tree of messages."""
    tree = service.conversation_tree(session, actor, conversation_id)
    return ChatTreePublic(
        conversation=ConversationPublic.model_validate(tree.conversation),
        nodes=[_node(n, reveal_models=tree.reveal_models) for n in tree.nodes],
    )


@router.post("/chats/{conversation_id}/turns", response_model=TurnPublic)
def send_turn(
    conversation_id: str, turn: ChatTurn, actor: ActorDep, session: SessionDep, pool: ModelPoolDep
) -> TurnPublic:
    """Send the worker's message and get two candidate replies (A first).

    502 `upstream_error` when a model failed after its retries: the message is kept; ask
    for candidates again with `POST .../turns/{turn_id}/candidates`.
    """
    user_node, candidates = service.send_turn(session, actor, pool, conversation_id, turn)
    return TurnPublic(turn=_node(user_node), candidates=[_node(c) for c in candidates])


@router.post("/chats/{conversation_id}/turns/{turn_id}/candidates", response_model=TurnPublic)
def regenerate(
    conversation_id: str, turn_id: str, actor: ActorDep, session: SessionDep, pool: ModelPoolDep
) -> TurnPublic:
    """Ask the models again for replies to a turn left without any."""
    candidates = service.regenerate_candidates(session, actor, pool, conversation_id, turn_id)
    tree = service.conversation_tree(session, actor, conversation_id)
    turn = next(n for n in tree.nodes if n.id == turn_id)
    return TurnPublic(turn=_node(turn), candidates=[_node(c) for c in candidates])


@router.post("/chats/{conversation_id}/choose", response_model=ChatNodePublic)
def choose(
    conversation_id: str, choice: ChatChoice, actor: ActorDep, session: SessionDep
) -> ChatNodePublic:
    """Pick a candidate reply, or send `rewrite` to replace it with your own (a demonstration).

    The conversation continues from the returned reply.
    """
    return _node(service.choose_reply(session, actor, conversation_id, choice))


@router.post("/chats/{conversation_id}/finish", response_model=ConversationPublic)
def finish(conversation_id: str, actor: ActorDep, session: SessionDep) -> ConversationPublic:
    """Close the conversation."""
    return ConversationPublic.model_validate(
        service.finish_conversation(session, actor, conversation_id)
    )
