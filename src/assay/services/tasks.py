"""Tasks: bulk import (idempotent, all-or-nothing), reads, cancel, priority."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from assay.domain.answers import validate_gold
from assay.domain.enums import Role, TaskState
from assay.domain.payloads import compile_payload_validator
from assay.domain.task import TaskImport
from assay.domain.template import Template, parse_template
from assay.errors import AssayError, Conflict, InvalidInput, NotFound
from assay.services.actor import Actor
from assay.services.projects import load_project, resolve_batch
from assay.store import Session
from assay.store import tasks as store
from assay.store import work as work_store
from assay.store.audit import insert_audit_event
from assay.store.base import new_ids, utcnow
from assay.store.models import Project, Response, Result, Review, Task

MAX_REPORTED_PROBLEMS = 1_000


@dataclass(frozen=True)
class ImportReport:
    """The outcome of a bulk import: task ids in input order, and what was new."""

    batch_id: str | None
    created: int
    existing: int
    task_ids: list[str] = field(default_factory=list)


# Parsed templates by their JSON text: claims and submits read one on every call.
_TEMPLATES: dict[bytes, Template] = {}
_TEMPLATES_KEPT = 512


def project_template(project: Project) -> Template:
    """The project's template as typed objects (see :func:`cached_template`)."""
    return cached_template(project.template)


def cached_template(template: dict[str, Any]) -> Template:
    """A stored template as typed objects.

    Parsed once per distinct template and then shared: the key is the template's own JSON
    text, so an edited template is parsed afresh, and templates are never changed in place.
    """
    key = orjson.dumps(template, option=orjson.OPT_SORT_KEYS)
    parsed = _TEMPLATES.get(key)
    if parsed is None:
        parsed = parse_template(template)
        if len(_TEMPLATES) >= _TEMPLATES_KEPT:
            _TEMPLATES.clear()
        _TEMPLATES[key] = parsed
    return parsed


def _problems(project: Project, spec: TaskImport) -> list[dict[str, Any]]:
    template = project_template(project)
    check_payload = compile_payload_validator(template)
    problems: list[dict[str, Any]] = []
    for index, item in enumerate(spec.tasks):
        reason = check_payload(item.payload)
        if reason is None and item.gold_answer is not None:
            try:
                validate_gold(template, item.gold_answer, item.payload)
            except AssayError as exc:
                reason = f"gold_answer: {exc.message}"
        if reason is not None:
            problems.append({"index": index, "unique_id": item.unique_id, "reason": reason})
    return problems


def import_tasks(session: Session, actor: Actor, project_id: str, spec: TaskImport) -> ImportReport:
    """Store every new task of ``spec``, or none if any item is invalid; commits.

    Idempotent by ``unique_id``: an id already in the project (or earlier in the same request)
    maps to the existing task and is never stored twice.
    """
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    report = store_tasks(session, actor, project, spec)
    session.commit()
    return report


def store_tasks(session: Session, actor: Actor, project: Project, spec: TaskImport) -> ImportReport:
    """Validate and add the new tasks of ``spec`` to the transaction (no commit)."""
    if project.status == "archived":
        raise Conflict("This project is archived; it takes no new tasks.")
    problems = _problems(project, spec)
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        first = shown[0]
        raise InvalidInput(
            f"{len(problems)} of {len(spec.tasks)} tasks do not fit the project's template; "
            f"nothing was stored. First: tasks[{first['index']}] "
            f"(unique_id {first['unique_id']!r}): {first['reason']}",
            details={"problems": shown, "problem_count": len(problems)},
        )
    batch = resolve_batch(session, project, spec.batch_id, spec.batch_name)
    ids: dict[str, str] = {}
    rows: list[store.NewTask] = []
    redundancy = project.redundancy
    for item, task_id in zip(spec.tasks, new_ids("tsk", len(spec.tasks)), strict=True):
        if item.unique_id in ids:
            continue
        ids[item.unique_id] = task_id
        gold = item.gold_answer is not None
        # Gold tasks have no slot limit (see store/queue.md).
        slots = 0 if gold else redundancy
        rows.append(
            (
                task_id,
                item.unique_id,
                item.payload,
                item.metadata,
                item.priority,
                gold,
                item.gold_answer,
                slots,
            )
        )
    new_tasks = store.NewTasks(
        org_id=project.org_id,
        project_id=project.id,
        batch_id=batch.id if batch else None,
        redundancy=redundancy,
        created_at=utcnow(),
        rows=rows,
    )
    inserted = store.insert_new_tasks(session, new_tasks)
    already_there = [row[1] for row in rows if row[1] not in inserted]
    if already_there:
        ids.update(store.find_task_ids_by_unique_id(session, project.id, already_there))
    if inserted:
        insert_audit_event(
            session,
            org_id=actor.org_id,
            actor=actor.label,
            action="tasks.import",
            object_type="project",
            object_id=project.id,
            after={"created": len(inserted), "batch_id": batch.id if batch else None},
        )
    return ImportReport(
        batch_id=batch.id if batch else None,
        created=len(inserted),
        existing=len(spec.tasks) - len(inserted),
        task_ids=[ids[t.unique_id] for t in spec.tasks],
    )


def load_task(session: Session, actor: Actor, task_id: str) -> Task:
    """A task of the actor's organisation, or NotFound."""
    task = store.get_task(session, actor.org_id, task_id)
    if task is None:
        raise NotFound(f"No task {task_id!r} in this organisation.")
    return task


def get_task(session: Session, actor: Actor, task_id: str) -> Task:
    """A task, for requesters (workers read tasks only through their assignments)."""
    actor.require(Role.REQUESTER)
    return load_task(session, actor, task_id)


def list_tasks(
    session: Session,
    actor: Actor,
    project_id: str,
    *,
    state: str | None,
    batch_id: str | None,
    after_id: str | None,
    limit: int,
) -> list[Task]:
    """A page of a project's tasks."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return store.list_tasks(
        session,
        actor.org_id,
        project.id,
        state=state,
        batch_id=batch_id,
        after_id=after_id,
        limit=limit,
    )


def cancel_task(session: Session, actor: Actor, task_id: str) -> Task:
    """Stop a task from being worked on; responses already given are kept. Commits."""
    actor.require(Role.REQUESTER)
    task = load_task(session, actor, task_id)
    if task.state in (TaskState.DELIVERED, TaskState.CANCELLED):
        raise Conflict(f"Task {task_id!r} is already {task.state}; it cannot be cancelled.")
    before = task.state
    task.state = TaskState.CANCELLED.value
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="task.cancel",
        object_type="task",
        object_id=task.id,
        before={"state": before},
        after={"state": task.state},
    )
    session.commit()
    return task


def set_priority(session: Session, actor: Actor, task_id: str, priority: int) -> Task:
    """Change the order in which workers get the task. Commits."""
    actor.require(Role.REQUESTER)
    task = load_task(session, actor, task_id)
    if task.priority != priority:
        insert_audit_event(
            session,
            org_id=actor.org_id,
            actor=actor.label,
            action="task.priority",
            object_type="task",
            object_id=task.id,
            before={"priority": task.priority},
            after={"priority": priority},
        )
        task.priority = priority
    session.commit()
    return task


@dataclass(frozen=True)
class TaskRecord:
    """A task with everything recorded about it: responses, their reviews, its result."""

    task: Task
    responses: list[Response]
    reviews: dict[str, list[Review]]
    result: Result | None


def task_record(session: Session, actor: Actor, task_id: str) -> TaskRecord:
    """The full record of a task, for its requester."""
    task = get_task(session, actor, task_id)
    responses = work_store.list_task_responses(session, task.id)
    reviews: dict[str, list[Review]] = {}
    for review in work_store.list_reviews_for_responses(session, [r.id for r in responses]):
        reviews.setdefault(review.response_id, []).append(review)
    return TaskRecord(task, responses, reviews, work_store.get_result(session, task.id))
