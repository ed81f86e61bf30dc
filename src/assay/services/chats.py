"""Live chat collection: a worker talks with two models at once and picks (or rewrites) a reply.

Each user turn gets two candidate replies from two of the project's endpoints, shown in random
order under opaque node ids, never the models' names. The worker picks one, or rewrites it (an
SFT demonstration), and the conversation continues under the chosen reply. Every message is
kept as a tree, so a worker may also branch from an earlier reply. Model calls run outside any
transaction; a failed call leaves the worker's turn stored, to ask for candidates again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assay.domain.enums import REQUESTER_ROLES, Role
from assay.domain.rlhf import ChatChoice, ChatProjectCreate, ChatStart, ChatTurn
from assay.errors import Conflict, NotFound, PermissionDenied, UpstreamError
from assay.services.actor import Actor
from assay.services.model_endpoints import EndpointSnapshot, snapshot
from assay.services.model_pool import ModelPool
from assay.services.model_projects import load_model_project, new_model_project
from assay.services.model_variants import record_variant, variant_settings
from assay.services.rlhf_presets import CHAT_COLLECTION
from assay.services.work import is_qualified, load_working_worker
from assay.store import Session
from assay.store import chats as store
from assay.store import model_endpoints as endpoint_store
from assay.store import tasks as task_store
from assay.store.base import new_id, utcnow
from assay.store.models import Project
from assay.store.models.rlhf import ChatConversation, ChatNode

log = logging.getLogger(__name__)

MODE = "chat"
CANDIDATES = 2


def create_chat_project(session: Session, actor: Actor, spec: ChatProjectCreate) -> Project:
    """Create a live chat collection project over two or more endpoints; commits."""
    actor.require(Role.REQUESTER)
    project, _setup = new_model_project(session, actor, spec, mode=MODE, template=CHAT_COLLECTION)
    session.commit()
    return project


def start_conversation(session: Session, actor: Actor, spec: ChatStart) -> ChatConversation:
    """Open a conversation for the calling worker; commits."""
    worker = load_working_worker(session, actor)
    project, setup = load_model_project(session, actor, spec.project_id, MODE)
    if not is_qualified(worker, project) or project.status != "active":
        raise PermissionDenied("This worker cannot work on this project now.")
    if spec.task_id is not None:
        task = task_store.get_task(session, actor.org_id, spec.task_id)
        if task is None or task.project_id != project.id:
            raise NotFound(f"No task {spec.task_id!r} in this project.")
    conversation = ChatConversation(
        id=new_id("cht"),
        org_id=actor.org_id,
        project_id=project.id,
        worker_id=worker.id,
        task_id=spec.task_id,
        system_prompt=setup.system_prompt,
    )
    store.insert_conversation(session, conversation)
    session.commit()
    return conversation


@dataclass(frozen=True)
class ChatTree:
    """A conversation and every message in it."""

    conversation: ChatConversation
    nodes: list[ChatNode]
    # Whether the caller may see which model wrote what (requesters only).
    reveal_models: bool


def load_conversation(
    session: Session, actor: Actor, conversation_id: str, *, lock: bool = False
) -> ChatConversation:
    """Return a conversation the actor may see: their own, or any of the org for requesters."""
    conversation = store.get_conversation(session, actor.org_id, conversation_id, lock=lock)
    own = conversation is not None and conversation.worker_id == actor.worker_id
    if conversation is None or not (own or actor.role in REQUESTER_ROLES):
        raise NotFound(f"No conversation {conversation_id!r} for this caller.")
    return conversation


def conversation_tree(session: Session, actor: Actor, conversation_id: str) -> ChatTree:
    """Return a conversation with all its messages."""
    conversation = load_conversation(session, actor, conversation_id)
    nodes = store.list_nodes(session, conversation.id)
    return ChatTree(conversation, nodes, reveal_models=actor.role in REQUESTER_ROLES)


def _own_open(session: Session, actor: Actor, conversation_id: str) -> ChatConversation:
    conversation = load_conversation(session, actor, conversation_id, lock=True)
    if conversation.worker_id != actor.worker_id:
        raise PermissionDenied("Only the worker who holds the conversation can continue it.")
    if conversation.status != "open":
        raise Conflict("This conversation is finished.")
    return conversation


def _tip(nodes: list[ChatNode], parent_id: str | None) -> ChatNode | None:
    """Return the reply a new turn goes under; refuse while a turn waits for its pick."""
    picked = {n.parent_id for n in nodes if n.chosen}
    if any(n.role == "user" and n.id not in picked for n in nodes):
        raise Conflict("Pick or rewrite a reply to your last message first.")
    chosen = [n for n in nodes if n.role == "assistant" and n.chosen]
    if parent_id is None:
        return chosen[-1] if chosen else None
    parent = next((n for n in chosen if n.id == parent_id), None)
    if parent is None:
        raise Conflict("A turn continues from a chosen reply of this conversation.")
    return parent


def send_turn(
    session: Session,
    actor: Actor,
    pool: ModelPool,
    conversation_id: str,
    turn: ChatTurn,
    rng: random.Random | None = None,
) -> tuple[ChatNode, list[ChatNode]]:
    """Store the worker's message, then ask two models for candidate replies; commits.

    Raises:
        UpstreamError: a model failed after its retries; the message is kept, and
            ``regenerate_candidates`` asks again.

    """
    conversation = _own_open(session, actor, conversation_id)
    parent = _tip(store.list_nodes(session, conversation.id), turn.parent_id)
    user_node = ChatNode(
        id=new_id("cnd"),
        conversation_id=conversation.id,
        parent_id=parent.id if parent else None,
        role="user",
        content=turn.content,
        author_kind="worker",
        author_id=conversation.worker_id,
    )
    store.insert_nodes(session, user_node)
    conversation.updated_at = utcnow()
    session.commit()
    return user_node, _candidates(session, actor, pool, conversation, user_node, rng)


def regenerate_candidates(
    session: Session,
    actor: Actor,
    pool: ModelPool,
    conversation_id: str,
    user_node_id: str,
    rng: random.Random | None = None,
) -> list[ChatNode]:
    """Ask the models again for replies to a turn that has none (after a failure); commits."""
    conversation = _own_open(session, actor, conversation_id)
    nodes = store.list_nodes(session, conversation.id)
    user_node = next((n for n in nodes if n.id == user_node_id and n.role == "user"), None)
    if user_node is None:
        raise NotFound(f"No turn {user_node_id!r} in this conversation.")
    if any(n.parent_id == user_node.id for n in nodes):
        raise Conflict("This turn already has candidate replies.")
    return _candidates(session, actor, pool, conversation, user_node, rng)


def _path(nodes: Sequence[ChatNode], leaf: ChatNode) -> list[ChatNode]:
    by_id = {node.id: node for node in nodes}
    path = [leaf]
    while path[-1].parent_id is not None:
        path.append(by_id[path[-1].parent_id])
    return list(reversed(path))


def _candidates(
    session: Session,
    actor: Actor,
    pool: ModelPool,
    conversation: ChatConversation,
    user_node: ChatNode,
    rng: random.Random | None,
) -> list[ChatNode]:
    rng = rng or random.Random()
    setup = endpoint_store.get_setup(session, actor.org_id, conversation.project_id)
    assert setup is not None
    picked = rng.sample(list(setup.endpoint_ids), k=CANDIDATES)
    found = endpoint_store.list_endpoints_by_ids(session, actor.org_id, picked)
    endpoints = [snapshot(found[endpoint_id]) for endpoint_id in picked]
    messages = (
        [{"role": "system", "content": conversation.system_prompt}]
        if conversation.system_prompt
        else []
    )
    messages += [
        {"role": n.role, "content": n.content}
        for n in _path(store.list_nodes(session, conversation.id), user_node)
    ]
    params = dict(setup.params)
    project_settings = variant_settings(setup.params, conversation.system_prompt)
    session.rollback()  # no transaction (on SQLite, no write lock) while the models think
    replies = [_ask(pool, endpoint, messages, params) for endpoint in endpoints]
    variants = [
        record_variant(
            session,
            project_id=conversation.project_id,
            endpoint=endpoint,
            project_settings=project_settings,
        )
        for endpoint in endpoints
    ]
    nodes = [
        ChatNode(
            id=new_id("cnd"),
            conversation_id=conversation.id,
            parent_id=user_node.id,
            role="assistant",
            content=content,
            author_kind="model",
            author_id=endpoint.id,
            position=position,
            latency_ms=latency,
            variant_id=variant_id,
        )
        for position, (endpoint, (content, latency), variant_id) in enumerate(
            zip(endpoints, replies, variants, strict=True)
        )
    ]
    store.insert_nodes(session, *nodes)
    session.commit()
    return nodes


def _ask(
    pool: ModelPool,
    endpoint: EndpointSnapshot,
    messages: list[dict[str, str]],
    params: dict[str, Any],
) -> tuple[str, float]:
    try:
        completion = pool.model_for(endpoint).complete(messages, **params)
    except UpstreamError as exc:
        # The adapter's message names the endpoint, model and address: workers must not learn
        # which model wrote a candidate, so they get the status alone; the log keeps the rest.
        log.warning("chat candidate failed: %s", exc.message)
        status = exc.details.get("status") if isinstance(exc.details, dict) else None
        raise UpstreamError(
            "One of the models did not answer; your message is kept, ask for candidates again.",
            {"status": status} if isinstance(status, int) else None,
        ) from None
    if completion.content is None:
        raise UpstreamError("A model answered with no text; ask for candidates again.")
    return completion.content, completion.latency_ms


def choose_reply(
    session: Session, actor: Actor, conversation_id: str, choice: ChatChoice
) -> ChatNode:
    """Pick a candidate reply, or replace it with the worker's rewrite; commits.

    Returns the reply the conversation now continues from.
    """
    conversation = _own_open(session, actor, conversation_id)
    nodes = store.list_nodes(session, conversation.id)
    candidate = next((n for n in nodes if n.id == choice.candidate_id), None)
    if candidate is None or candidate.role != "assistant" or candidate.author_kind != "model":
        raise NotFound(f"No candidate reply {choice.candidate_id!r} in this conversation.")
    if any(n.parent_id == candidate.parent_id and n.chosen for n in nodes):
        raise Conflict("A reply to this turn was already chosen.")
    chosen = candidate
    if choice.rewrite is not None:
        siblings = sum(1 for n in nodes if n.parent_id == candidate.parent_id)
        chosen = ChatNode(
            id=new_id("cnd"),
            conversation_id=conversation.id,
            parent_id=candidate.parent_id,
            role="assistant",
            content=choice.rewrite,
            author_kind="worker",
            author_id=conversation.worker_id,
            position=siblings,
            rewritten=True,
            rewrite_of=candidate.id,
        )
        store.insert_nodes(session, chosen)
    chosen.chosen = True
    chosen.strength = choice.strength
    chosen.reason = choice.reason
    conversation.updated_at = utcnow()
    session.commit()
    return chosen


def finish_conversation(session: Session, actor: Actor, conversation_id: str) -> ChatConversation:
    """Close a conversation: it takes no more turns; commits."""
    conversation = _own_open(session, actor, conversation_id)
    conversation.status = "finished"
    conversation.finished_at = utcnow()
    session.commit()
    return conversation


def list_conversations(
    session: Session,
    actor: Actor,
    project_id: str,
    *,
    after_id: str | None = None,
    limit: int = 100,
) -> list[ChatConversation]:
    """List a project's conversations: all for requesters, their own for workers."""
    project, _setup = load_model_project(session, actor, project_id, MODE)
    worker_id = None if actor.role in REQUESTER_ROLES else actor.require_worker()
    return store.list_conversations(
        session, actor.org_id, project.id, worker_id=worker_id, after_id=after_id, limit=limit
    )
