"""Tasks: bulk import, reads, cancel, priority, responses and results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assay.api.deps import ActorDep, SessionDep
from assay.api.raw_body import RawBodyDep, documented_body, parse_body
from assay.api.schemas.tasks import (
    ImportReportPublic,
    PriorityChange,
    ResponsePublic,
    ResultPublic,
    ReviewPublic,
    TaskDetail,
    TaskPublic,
)
from assay.domain.task import TaskImport
from assay.errors import NotFound
from assay.services import tasks as service
from assay.services.tasks import TaskRecord

router = APIRouter(prefix="/v1", tags=["tasks"])


@router.post(
    "/projects/{project_id}/tasks",
    response_model=ImportReportPublic,
    openapi_extra=documented_body(TaskImport),
)
def import_tasks(
    project_id: str, body: RawBodyDep, actor: ActorDep, session: SessionDep
) -> ImportReportPublic:
    """Submit tasks in bulk (up to 50,000 per request), idempotent by `unique_id`.

    **All or nothing**: if any item's payload does not fit the project's template, the request
    is refused with 422 and `details.problems` lists every bad item (`index`, `unique_id`,
    `reason`); no task of that request is stored. A `unique_id` that already exists in the
    project returns the existing task id and is not stored again (`existing` counts them).
    """
    # Read from the bytes in one pass: for 50,000 tasks FastAPI's decode-then-validate would
    # cost about twice as much.
    report = service.import_tasks(session, actor, project_id, parse_body(TaskImport, body))
    return ImportReportPublic(**vars(report))


@router.get("/projects/{project_id}/tasks", response_model=list[TaskPublic])
def list_tasks(
    project_id: str,
    actor: ActorDep,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern="^(open|complete|delivered|cancelled)$")] = None,
    batch_id: str | None = None,
    after: Annotated[str | None, Query(description="Return tasks after this task id.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[TaskPublic]:
    """A page of a project's tasks in creation order; pass the last id as `after` for more."""
    tasks = service.list_tasks(
        session, actor, project_id, state=state, batch_id=batch_id, after_id=after, limit=limit
    )
    return [TaskPublic.model_validate(t) for t in tasks]


def _responses(record: TaskRecord) -> list[ResponsePublic]:
    out = []
    for response in record.responses:
        public = ResponsePublic.model_validate(response)
        public.reviews = [
            ReviewPublic.model_validate(r) for r in record.reviews.get(response.id, [])
        ]
        out.append(public)
    return out


@router.get("/tasks/{task_id}", response_model=TaskDetail)
def get_task(task_id: str, actor: ActorDep, session: SessionDep) -> TaskDetail:
    """A task with its status, responses (with provenance and review chain) and result."""
    record = service.task_record(session, actor, task_id)
    detail = TaskDetail.model_validate(record.task)
    detail.responses = _responses(record)
    detail.result = ResultPublic.model_validate(record.result) if record.result else None
    return detail


@router.get("/tasks/{task_id}/responses", response_model=list[ResponsePublic])
def list_responses(task_id: str, actor: ActorDep, session: SessionDep) -> list[ResponsePublic]:
    """The task's responses."""
    return _responses(service.task_record(session, actor, task_id))


@router.get("/tasks/{task_id}/result", response_model=ResultPublic)
def get_result(task_id: str, actor: ActorDep, session: SessionDep) -> ResultPublic:
    """The task's result; 404 until enough responses are in."""
    record = service.task_record(session, actor, task_id)
    if record.result is None:
        raise NotFound(f"Task {task_id!r} has no result yet ({record.task.state}).")
    return ResultPublic.model_validate(record.result)


@router.post("/tasks/{task_id}/cancel", response_model=TaskPublic)
def cancel_task(task_id: str, actor: ActorDep, session: SessionDep) -> TaskPublic:
    """Stop work on a task; responses already given are kept."""
    return TaskPublic.model_validate(service.cancel_task(session, actor, task_id))


@router.patch("/tasks/{task_id}", response_model=TaskPublic)
def set_priority(
    task_id: str, change: PriorityChange, actor: ActorDep, session: SessionDep
) -> TaskPublic:
    """Change a task's priority (higher is served first)."""
    return TaskPublic.model_validate(service.set_priority(session, actor, task_id, change.priority))
