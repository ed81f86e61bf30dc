"""Review queues and guideline questions."""

from __future__ import annotations

from fastapi import APIRouter, status

from assay.api.deps import ActorDep, SessionDep
from assay.api.schemas.work import NextRequest
from assay.api.schemas.workforce import GuidelineQuestionPublic, ReviewItemPublic, ReviewPublic
from assay.domain.workforce import GuidelineAnswerIn, GuidelineQuestionIn, ReviewSubmit
from assay.errors import NoTaskAvailable
from assay.services import guideline_questions, reviews

router = APIRouter(prefix="/v1", tags=["reviews"])


@router.post("/reviews/next", response_model=ReviewItemPublic)
def next_review(request: NextRequest, actor: ActorDep, session: SessionDep) -> ReviewItemPublic:
    """Lease the next response waiting for review (never your own); 404 when none."""
    item = reviews.next_review(session, actor, request.project_id)
    if item is None:
        raise NoTaskAvailable("Nothing is waiting for review right now.")
    return ReviewItemPublic(
        response_id=item.response.id,
        task_id=item.task.id,
        project_id=item.project.id,
        stage=item.stage_name,
        worker_id=item.response.worker_id,
        answer=item.response.answer,
        payload=item.task.payload,
        template=item.template,
        active_time_ms=item.response.active_time_ms,
    )


@router.post(
    "/reviews/{response_id}", response_model=ReviewPublic, status_code=status.HTTP_201_CREATED
)
def submit_review(
    response_id: str, verdict: ReviewSubmit, actor: ActorDep, session: SessionDep
) -> ReviewPublic:
    """Accept, or reject with a reason (rework or reassign per the project's policy)."""
    return ReviewPublic.model_validate(reviews.submit_review(session, actor, response_id, verdict))


@router.get("/projects/{project_id}/questions", response_model=list[GuidelineQuestionPublic])
def list_questions(
    project_id: str, actor: ActorDep, session: SessionDep
) -> list[GuidelineQuestionPublic]:
    """Questions on the guidelines (workers see answered ones and their own)."""
    questions = guideline_questions.list_questions(session, actor, project_id)
    return [GuidelineQuestionPublic.model_validate(q) for q in questions]


@router.post(
    "/projects/{project_id}/questions",
    response_model=GuidelineQuestionPublic,
    status_code=status.HTTP_201_CREATED,
)
def ask_question(
    project_id: str, question: GuidelineQuestionIn, actor: ActorDep, session: SessionDep
) -> GuidelineQuestionPublic:
    """A worker asks about the guidelines."""
    asked = guideline_questions.ask_question(session, actor, project_id, question.text)
    return GuidelineQuestionPublic.model_validate(asked)


@router.post("/questions/{question_id}/answer", response_model=GuidelineQuestionPublic)
def answer_question(
    question_id: str, answer: GuidelineAnswerIn, actor: ActorDep, session: SessionDep
) -> GuidelineQuestionPublic:
    """The project's lead answers, for every worker."""
    answered = guideline_questions.answer_question(session, actor, question_id, answer.text)
    return GuidelineQuestionPublic.model_validate(answered)
