"""Training examples from live chats: picked replies over the ones passed over, chosen paths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assay.services.training_examples import (
    CHUNK,
    Context,
    Demonstration,
    Family,
    Labelled,
    Message,
    Preference,
    Side,
)
from assay.store import chats as chat_store
from assay.store.models.rlhf import ChatNode


def chat_examples(context: Context, family: Family) -> Iterator[Any]:
    """Yield a chat project's examples of one family, conversation by conversation."""
    after: str | None = None
    while True:
        conversations = chat_store.list_conversations(
            context.session, context.project.org_id, context.project.id, after_id=after, limit=CHUNK
        )
        trees = [
            (c.id, c.system_prompt, chat_store.list_nodes(context.session, c.id))
            for c in conversations
        ]
        context.session.rollback()  # reads only: hold no transaction while rows stream out
        for conversation_id, system_prompt, nodes in trees:
            base = [{"role": "system", "content": system_prompt}] if system_prompt else []
            yield from _conversation_examples(context, conversation_id, nodes, base, family)
        if len(conversations) < CHUNK:
            return
        after = conversations[-1].id


def _conversation_examples(
    context: Context,
    conversation_id: str,
    nodes: list[ChatNode],
    base: list[Message],
    family: Family,
) -> Iterator[Any]:
    by_id = {node.id: node for node in nodes}
    children: dict[str | None, list[ChatNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def path(node: ChatNode) -> list[Message]:
        chain = [node]
        while chain[-1].parent_id is not None:
            chain.append(by_id[chain[-1].parent_id])
        return base + [{"role": n.role, "content": n.content} for n in reversed(chain)]

    for turn in (n for n in nodes if n.role == "user"):
        replies = children.get(turn.id, [])
        chosen = next((r for r in replies if r.chosen), None)
        if chosen is None:
            continue
        side = _chat_side(context, conversation_id, turn, chosen)
        passed = [r for r in replies if not r.chosen and r.author_kind == "model"]
        if family == "demonstration" and not any(
            c.role == "user" for c in children.get(chosen.id, [])
        ):
            yield Demonstration(path(chosen), _author(context, chosen), side)
        for other in passed:
            if family == "preference":
                yield Preference(
                    path(turn),
                    chosen.content,
                    other.content,
                    _author(context, chosen),
                    _author(context, other),
                    float(chosen.strength or 1),
                    side,
                )
            elif family == "labelled":
                yield Labelled(path(turn), other.content, False, _author(context, other), side)
        if family == "labelled":
            yield Labelled(path(turn), chosen.content, True, _author(context, chosen), side)


def _author(context: Context, node: ChatNode) -> str | None:
    if node.author_kind == "model":
        return context.endpoint_names.get(node.author_id)
    return None  # written by the worker


def _chat_side(context: Context, conversation_id: str, turn: ChatNode, chosen: ChatNode) -> Side:
    worker = turn.author_id
    return Side(
        source="chat",
        project_id=context.project.id,
        item_id=conversation_id,
        unique_id=turn.id,
        rater_ids=[worker],
        rater_gold_accuracy=[context.rater(worker)],
        rater_active_time_ms=[None],
        n_ratings=1,
        strength=float(chosen.strength) if chosen.strength else None,
        reasons=[chosen.reason] if chosen.reason else [],
    )
