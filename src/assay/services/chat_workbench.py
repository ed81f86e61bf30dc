"""What the live chat pages show: chat projects, a worker's current path, a requester's tree.

The rules (who may talk, pick, rewrite) live in ``chats.py``; this module only reads and
arranges a conversation for people: the worker sees the path of chosen replies ending at the
turn that waits for a pick, a requester sees every turn with its candidates and the models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assay.domain.enums import Role
from assay.services import chats
from assay.services.actor import Actor
from assay.services.model_endpoints import list_endpoints
from assay.services.projects import current_guidelines, load_project
from assay.services.workers import get_worker_profile
from assay.store import Session
from assay.store.models import GuidelineVersion, Project
from assay.store.models.rlhf import ChatConversation, ChatNode
from assay.store.setup_modes import list_setup_modes

LETTERS = "ABCDEFGH"
# A worker's list shows this many conversations, newest first.
SHOWN_CONVERSATIONS = 1000


def chat_project_ids(session: Session, actor: Actor, project_ids: Sequence[str]) -> set[str]:
    """Return which of the given projects are live chat projects."""
    modes = list_setup_modes(session, actor.org_id, project_ids)
    return {project_id for project_id, mode in modes.items() if mode == chats.MODE}


@dataclass(frozen=True)
class ChatHome:
    """A chat project as its page shows it, with the caller's conversations, newest first."""

    project: Project
    conversations: list[ChatConversation]
    guidelines: GuidelineVersion | None


def chat_home(session: Session, actor: Actor, project_id: str) -> ChatHome:
    """Return a chat project and the conversations the caller may see in it."""
    conversations = chats.list_conversations(session, actor, project_id, limit=SHOWN_CONVERSATIONS)
    project = load_project(session, actor, project_id)
    guidelines = current_guidelines(session, project)
    return ChatHome(project, list(reversed(conversations)), guidelines)


@dataclass(frozen=True)
class ChatState:
    """Where a conversation stands for the worker holding it.

    ``path`` runs from the first turn to the reply the next turn continues from (chosen
    replies only); ``waiting`` is the worker's turn still waiting for a pick, with its
    ``candidates`` A first (none: the models failed and must be asked again).
    """

    conversation: ChatConversation
    project: Project
    path: list[ChatNode]
    waiting: ChatNode | None
    candidates: list[ChatNode]
    # Whether the caller is the worker holding the conversation (else a requester looking).
    own: bool


def _ancestors(nodes: Sequence[ChatNode], leaf: ChatNode | None) -> list[ChatNode]:
    by_id = {node.id: node for node in nodes}
    path: list[ChatNode] = []
    node = leaf
    while node is not None:
        path.append(node)
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
    return list(reversed(path))


def current_state(
    nodes: Sequence[ChatNode],
) -> tuple[list[ChatNode], ChatNode | None, list[ChatNode]]:
    """Split a conversation's nodes into the current path, the waiting turn and its candidates.

    The tip is the same one ``chats.send_turn`` continues from: the turn waiting for a pick,
    else the latest chosen reply.
    """
    picked = {node.parent_id for node in nodes if node.chosen}
    waiting = next((n for n in nodes if n.role == "user" and n.id not in picked), None)
    if waiting is not None:
        candidates = [n for n in nodes if n.parent_id == waiting.id and n.author_kind == "model"]
        path = _ancestors(nodes, waiting)[:-1]
        return path, waiting, sorted(candidates, key=lambda n: n.position)
    chosen = [n for n in nodes if n.role == "assistant" and n.chosen]
    return _ancestors(nodes, chosen[-1] if chosen else None), None, []


def chat_state(session: Session, actor: Actor, conversation_id: str) -> ChatState:
    """Return a conversation as its worker's page shows it."""
    tree = chats.conversation_tree(session, actor, conversation_id)
    project = load_project(session, actor, tree.conversation.project_id)
    path, waiting, candidates = current_state(tree.nodes)
    own = actor.worker_id is not None and tree.conversation.worker_id == actor.worker_id
    return ChatState(tree.conversation, project, path, waiting, candidates, own)


@dataclass(frozen=True)
class TurnView:
    """One worker turn of a conversation, with every reply made to it."""

    number: int
    turn: ChatNode
    # Candidates A first, then the worker's rewrites.
    replies: list[ChatNode]
    # Set when the turn branches from an earlier reply instead of the previous turn's pick.
    continues_from: str | None


@dataclass(frozen=True)
class ChatReview:
    """A whole conversation for requesters: every turn, every reply, which model wrote it."""

    conversation: ChatConversation
    project: Project
    worker_name: str
    turns: list[TurnView]
    # Reply id -> "A", "B", or "Rewrite of A".
    labels: dict[str, str]
    # Endpoint id -> the endpoint's name.
    model_names: dict[str, str]


def _labels(nodes: Sequence[ChatNode]) -> dict[str, str]:
    labels = {
        n.id: LETTERS[n.position % len(LETTERS)]
        for n in nodes
        if n.role == "assistant" and n.author_kind == "model"
    }
    for node in nodes:
        if node.rewritten:
            labels[node.id] = f"Rewrite of {labels.get(node.rewrite_of or '', '?')}"
    return labels


def review_turns(nodes: Sequence[ChatNode]) -> tuple[list[TurnView], dict[str, str]]:
    """Arrange a conversation's nodes as numbered turns, oldest first, and label the replies."""
    labels = _labels(nodes)
    turns: list[TurnView] = []
    number_of: dict[str, int] = {}
    previous_pick: str | None = None
    for node in (n for n in nodes if n.role == "user"):
        replies = [n for n in nodes if n.parent_id == node.id]
        replies.sort(key=lambda n: (n.rewritten, n.position))
        branch = None
        if node.parent_id is not None and node.parent_id != previous_pick:
            origin = number_of.get(node.parent_id)
            branch = f"turn {origin}, reply {labels.get(node.parent_id, '?')}"
        number_of.update({reply.id: len(turns) + 1 for reply in replies})
        turns.append(TurnView(len(turns) + 1, node, replies, branch))
        previous_pick = next((r.id for r in replies if r.chosen), None)
    return turns, labels


def review_conversation(session: Session, actor: Actor, conversation_id: str) -> ChatReview:
    """Return a whole conversation with the models named (requesters and operations)."""
    actor.require(Role.REQUESTER)
    tree = chats.conversation_tree(session, actor, conversation_id)
    project = load_project(session, actor, tree.conversation.project_id)
    worker = get_worker_profile(session, actor, tree.conversation.worker_id)
    names = {e.id: e.name for e in list_endpoints(session, actor, include_archived=True)}
    turns, labels = review_turns(tree.nodes)
    worker_name = worker.display_name or worker.handle
    return ChatReview(tree.conversation, project, worker_name, turns, labels, names)


@dataclass(frozen=True)
class ConversationRow:
    """One conversation in a requester's list."""

    conversation: ChatConversation
    worker_name: str


def list_project_conversations(
    session: Session, actor: Actor, project_id: str
) -> tuple[Project, list[ConversationRow]]:
    """Return a chat project and all its conversations, newest first (requesters)."""
    actor.require(Role.REQUESTER)
    home = chat_home(session, actor, project_id)
    names: dict[str, str] = {}
    rows = []
    for conversation in home.conversations:
        if conversation.worker_id not in names:
            worker = get_worker_profile(session, actor, conversation.worker_id)
            names[conversation.worker_id] = worker.display_name or worker.handle
        rows.append(ConversationRow(conversation, names[conversation.worker_id]))
    return home.project, rows
