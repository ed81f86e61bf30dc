"""Questions workers ask about guidelines, answered once by the project's lead for everyone."""

from __future__ import annotations

from assay.domain.enums import Role
from assay.errors import NotFound
from assay.services.actor import Actor
from assay.services.projects import load_project
from assay.store import Session
from assay.store import workforce as store
from assay.store.audit import insert_audit_event
from assay.store.base import new_id, utcnow
from assay.store.models import GuidelineQuestion


def ask_question(session: Session, actor: Actor, project_id: str, text: str) -> GuidelineQuestion:
    """A worker asks about the current guidelines; commits."""
    worker_id = actor.require_worker()
    project = load_project(session, actor, project_id)
    question = GuidelineQuestion(
        id=new_id("gq"),
        org_id=actor.org_id,
        project_id=project.id,
        worker_id=worker_id,
        guideline_version=project.guideline_version,
        question=text,
    )
    store.insert_guideline_question(session, question)
    session.commit()
    return question


def answer_question(
    session: Session, actor: Actor, question_id: str, text: str
) -> GuidelineQuestion:
    """The project's lead answers; every worker of the project sees it. Commits."""
    actor.require(Role.REQUESTER)
    question = store.get_guideline_question(session, actor.org_id, question_id)
    if question is None:
        raise NotFound(f"No guideline question {question_id!r}.")
    question.answer = text
    question.answered_by = actor.label
    question.answered_at = utcnow()
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="guidelines.answer",
        object_type="guideline_question",
        object_id=question.id,
        after={"answer": text[:500]},
    )
    session.commit()
    return question


def list_questions(session: Session, actor: Actor, project_id: str) -> list[GuidelineQuestion]:
    """A project's questions: answered ones for everyone, plus the worker's own open ones."""
    project = load_project(session, actor, project_id)
    questions = store.list_guideline_questions(session, project.id)
    if actor.role in (Role.WORKER, Role.REVIEWER):
        return [q for q in questions if q.answer is not None or q.worker_id == actor.worker_id]
    return questions
