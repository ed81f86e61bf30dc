"""How the chat pages arrange a conversation tree: the worker's path and the requester's turns."""

from __future__ import annotations

from typing import Any

from assay.services.chat_workbench import current_state, review_turns
from assay.store.models.rlhf import ChatNode


def node(node_id: str, parent: str | None, role: str, **extra: Any) -> ChatNode:
    values: dict[str, Any] = {
        "author_kind": "worker" if role == "user" else "model",
        "position": 0,
        "chosen": False,
        "rewritten": False,
        "rewrite_of": None,
        **extra,
    }
    return ChatNode(
        id=node_id,
        conversation_id="cht",
        parent_id=parent,
        role=role,
        content=node_id,
        author_id="x",
        **values,
    )


def tree() -> list[ChatNode]:
    """Turn 1 picks B; turn 2 rewrites A; turn 3 branches from turn 1's B and waits."""
    return [
        node("u1", None, "user"),
        node("a1", "u1", "assistant"),
        node("b1", "u1", "assistant", position=1, chosen=True),
        node("u2", "b1", "user"),
        node("a2", "u2", "assistant"),
        node("b2", "u2", "assistant", position=1),
        node(
            "r2",
            "u2",
            "assistant",
            author_kind="worker",
            rewritten=True,
            rewrite_of="a2",
            chosen=True,
            position=2,
        ),
        node("u3", "b1", "user"),
        node("b3", "u3", "assistant", position=1),
        node("a3", "u3", "assistant"),
    ]


def test_the_worker_sees_the_path_to_the_waiting_turn_and_its_candidates_a_first() -> None:
    path, waiting, candidates = current_state(tree())
    assert [n.id for n in path] == ["u1", "b1"]
    assert waiting is not None and waiting.id == "u3"
    assert [n.id for n in candidates] == ["a3", "b3"]


def test_without_a_waiting_turn_the_path_ends_at_the_latest_pick() -> None:
    nodes = tree()[:7]
    path, waiting, candidates = current_state(nodes)
    assert [n.id for n in path] == ["u1", "b1", "u2", "r2"]
    assert waiting is None and candidates == []
    assert current_state([]) == ([], None, [])


def test_requesters_see_numbered_turns_labelled_replies_and_branches() -> None:
    turns, labels = review_turns(tree())
    assert [t.turn.id for t in turns] == ["u1", "u2", "u3"]
    assert [[r.id for r in t.replies] for t in turns] == [
        ["a1", "b1"],
        ["a2", "b2", "r2"],
        ["a3", "b3"],
    ]
    assert labels["r2"] == "Rewrite of A" and labels["b3"] == "B"
    assert [t.continues_from for t in turns] == [None, None, "turn 1, reply B"]
