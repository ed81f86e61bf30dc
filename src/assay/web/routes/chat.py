"""Live chat in the browser: a worker's conversations, the chat page and its script endpoints.

The chat script posts JSON here (with the CSRF token) and gets back the conversation's state,
so the page never reloads. Workers see candidate replies only as A and B; the models' names
appear on the requesters' read-only tree page.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from assay.domain.enums import Role
from assay.domain.rlhf import ChatChoice, ChatStart, ChatTurn
from assay.errors import NotFound, UpstreamError
from assay.services import chat_workbench, chats, guideline_questions
from assay.services.chat_workbench import ChatState
from assay.services.model_pool import ModelPool
from assay.services.projects import current_guidelines
from assay.services.secret_key import load_secret_key
from assay.store.models.rlhf import ChatNode
from assay.web.deps import CsrfDep, DbDep, IdentityDep
from assay.web.errors import WebRoute
from assay.web.render import render
from assay.web.task_view import guidelines_data

router = APIRouter(route_class=WebRoute, include_in_schema=False)

_pool_lock = threading.Lock()

STRENGTH_LABELS = ("slightly better", "better", "much better")
# Ids are at most this long (ChatStart refuses longer ones).
MAX_ID_LENGTH = 32


def model_pool(request: Request) -> ModelPool:
    """Return the app's shared model pool (the API's, when it made one first)."""
    with _pool_lock:
        pool: ModelPool | None = getattr(request.app.state, "model_pool", None)
        if pool is None:
            settings = request.app.state.settings
            pool = ModelPool(lambda: load_secret_key(settings))
            request.app.state.model_pool = pool
    return pool


class TurnIn(BaseModel):
    """The worker's next message."""

    content: str = Field(max_length=20_000)


class ChoiceIn(BaseModel):
    """A pick of candidate A or B, or a rewrite of one, with how much better and why."""

    candidate_id: str = Field(min_length=1, max_length=32)
    rewrite: str | None = Field(default=None, max_length=20_000)
    strength: int | None = Field(default=None, ge=1, le=len(STRENGTH_LABELS))
    reason: str = Field(default="", max_length=10_000)


def _message(node: ChatNode) -> dict[str, Any]:
    return {"id": node.id, "role": node.role, "content": node.content, "rewritten": node.rewritten}


def state_data(state: ChatState) -> dict[str, Any]:
    """The conversation's state as the chat script reads it; never a model's identity."""
    waiting = state.waiting
    return {
        "conversation": {"id": state.conversation.id, "status": state.conversation.status},
        "path": [_message(node) for node in state.path],
        "waiting": _message(waiting) if waiting is not None else None,
        "candidates": [
            {"id": node.id, "label": chat_workbench.LETTERS[index], "content": node.content}
            for index, node in enumerate(state.candidates)
        ],
    }


def _state_json(db: DbDep, identity: IdentityDep, conversation_id: str) -> JSONResponse:
    state = chat_workbench.chat_state(db, identity.actor, conversation_id)
    return JSONResponse({"state": state_data(state)})


def _model_failed(
    db: DbDep, identity: IdentityDep, conversation_id: str, exc: UpstreamError
) -> JSONResponse:
    """Answer a failed model call without naming the model (its error names it)."""
    details = exc.details if isinstance(exc.details, dict) else {}
    status = details.get("status")
    cause = f" (the model service answered HTTP {status})" if isinstance(status, int) else ""
    message = (
        f"One of the two models did not answer{cause}. Your message is saved: "
        "press Try again to ask both models for new replies. If it keeps failing, "
        "finish the conversation and tell your project lead."
    )
    db.rollback()
    state = chat_workbench.chat_state(db, identity.actor, conversation_id)
    body = {
        "error": {"code": exc.code, "message": message, "details": None},
        "state": state_data(state),
    }
    return JSONResponse(body, status_code=502)


@router.get("/chat/projects/{project_id}")
def chat_home_page(request: Request, project_id: str, db: DbDep, identity: IdentityDep) -> Response:
    """A chat project for a worker: start a conversation, or go back to one."""
    home = chat_workbench.chat_home(db, identity.actor, project_id)
    context = {
        "title": home.project.name,
        "home": home,
        "guidelines": guidelines_data(home.guidelines),
        "project_id": home.project.id,
    }
    return render(request, "chat/home.html", context)


@router.post("/chat/projects/{project_id}/start")
def start_chat(project_id: str, db: DbDep, identity: CsrfDep) -> Response:
    """Open a new conversation and go to it."""
    if len(project_id) > MAX_ID_LENGTH:
        raise NotFound(f"No project {project_id[:40]!r}… in this organisation.")
    conversation = chats.start_conversation(db, identity.actor, ChatStart(project_id=project_id))
    return RedirectResponse(f"/chat/{conversation.id}", status_code=303)


@router.get("/chat/{conversation_id}")
def chat_page(request: Request, conversation_id: str, db: DbDep, identity: IdentityDep) -> Response:
    """The chat page: the conversation so far, the candidates to pick from, the composer."""
    state = chat_workbench.chat_state(db, identity.actor, conversation_id)
    if not state.own:
        return RedirectResponse(f"/ops/chats/{conversation_id}", status_code=303)
    base = f"/chat/{conversation_id}"
    page_data = {
        "state": state_data(state),
        "strength_labels": list(STRENGTH_LABELS),
        "urls": {
            "turns": f"{base}/turns",
            "choose": f"{base}/choose",
            "finish": f"{base}/finish",
            "home": f"/chat/projects/{state.project.id}",
        },
    }
    context = {
        "title": state.project.name,
        "state": state,
        "page_data": page_data,
        "guidelines": guidelines_data(current_guidelines(db, state.project)),
        "questions": guideline_questions.list_questions(db, identity.actor, state.project.id),
        "project_id": state.project.id,
    }
    return render(request, "chat/chat.html", context)


@router.post("/chat/{conversation_id}/turns")
def send_turn(
    request: Request, conversation_id: str, body: TurnIn, db: DbDep, identity: CsrfDep
) -> Response:
    """Send the worker's message; answer the state with two candidate replies."""
    content = body.content.strip()
    if not content:
        return _invalid("Write a message before sending it.")
    turn = ChatTurn(content=content)
    try:
        chats.send_turn(db, identity.actor, model_pool(request), conversation_id, turn)
    except UpstreamError as exc:
        return _model_failed(db, identity, conversation_id, exc)
    return _state_json(db, identity, conversation_id)


def _invalid(message: str) -> JSONResponse:
    body = {"error": {"code": "invalid_input", "message": message, "details": None}}
    return JSONResponse(body, status_code=422)


@router.post("/chat/{conversation_id}/turns/{turn_id}/candidates")
def regenerate(
    request: Request, conversation_id: str, turn_id: str, db: DbDep, identity: CsrfDep
) -> Response:
    """Ask both models again for replies to a turn left without any."""
    try:
        chats.regenerate_candidates(
            db, identity.actor, model_pool(request), conversation_id, turn_id
        )
    except UpstreamError as exc:
        return _model_failed(db, identity, conversation_id, exc)
    return _state_json(db, identity, conversation_id)


@router.post("/chat/{conversation_id}/choose")
def choose(conversation_id: str, body: ChoiceIn, db: DbDep, identity: CsrfDep) -> Response:
    """Pick a candidate, or replace it with the worker's rewrite; the chat goes on from it."""
    rewrite = body.rewrite.strip() if body.rewrite is not None else None
    if rewrite == "":
        return _invalid("The rewrite is empty: write the reply you want, or pick one as it is.")
    choice = ChatChoice(
        candidate_id=body.candidate_id,
        rewrite=rewrite,
        strength=body.strength,
        reason=body.reason.strip(),
    )
    chats.choose_reply(db, identity.actor, conversation_id, choice)
    return _state_json(db, identity, conversation_id)


@router.post("/chat/{conversation_id}/finish")
def finish(conversation_id: str, db: DbDep, identity: CsrfDep) -> Response:
    """Close the conversation: it takes no more turns."""
    chats.finish_conversation(db, identity.actor, conversation_id)
    return _state_json(db, identity, conversation_id)


@router.get("/ops/projects/{project_id}/chats")
def conversations_page(
    request: Request, project_id: str, db: DbDep, identity: IdentityDep
) -> Response:
    """Every conversation of a chat project, for requesters and operations."""
    identity.actor.require(Role.REQUESTER)
    project, rows = chat_workbench.list_project_conversations(db, identity.actor, project_id)
    context = {"title": f"Conversations · {project.name}", "project": project, "rows": rows}
    return render(request, "chat/conversations.html", context)


@router.get("/ops/chats/{conversation_id}")
def review_page(
    request: Request, conversation_id: str, db: DbDep, identity: IdentityDep
) -> Response:
    """One conversation as a tree of turns and replies, with the models named (read-only)."""
    review = chat_workbench.review_conversation(db, identity.actor, conversation_id)
    context = {
        "title": f"Conversation · {review.project.name}",
        "review": review,
        "strength_labels": STRENGTH_LABELS,
    }
    return render(request, "chat/review.html", context)
