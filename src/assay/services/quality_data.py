"""Loading a project's work for quality operations and encoding its answers as integer codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assay.domain.answers import answer_key
from assay.domain.fields import ModelResponsesField
from assay.domain.questions import LabelQuestion, PairwiseQuestion, Question, TextQuestion
from assay.domain.template import Template
from assay.services.tasks import project_template
from assay.store import Session
from assay.store import quality_ops as store
from assay.store.models import Project, Response, Task

# Responses that count as the worker's own work (excluded ones still tell us about the worker).
SCORED_STATUSES = frozenset({"accepted", "in_review", "excluded", "rejected"})
IntArray = NDArray[np.intp]


def skill_key(project: Project) -> str:
    """Return the key a project's skill estimates are stored under."""
    return f"project:{project.id}"


@dataclass(frozen=True)
class CategoricalQuestion:
    """The question truth inference runs on: a single-choice label or a pairwise choice."""

    name: str
    classes: list[str]
    question: Question


@dataclass(frozen=True)
class AnswerMatrix:
    """A project's categorical answers as integer codes (Crowd-Kit's task, worker, label)."""

    classes: list[str]
    task_ids: list[str]
    worker_ids: list[str]
    task_idx: IntArray
    worker_idx: IntArray
    label_idx: IntArray
    response_ids: list[str]
    statuses: list[str]
    gold: dict[int, int] = field(default_factory=dict)

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.classes)


@dataclass
class ProjectData:
    """Everything quality operations read about one project, loaded once per recompute."""

    project: Project
    template: Template
    tasks: dict[str, Task]
    responses: list[Response]
    weights: dict[str, float]
    question: CategoricalQuestion | None

    def scored(self) -> list[Response]:
        """Responses that count as the worker's own work (not seeded audit errors)."""
        return [r for r in self.responses if r.status in SCORED_STATUSES]

    def text_questions(self) -> list[str]:
        """Names of the template's free-text questions."""
        return [q.name for q in self.template.questions if isinstance(q, TextQuestion)]


def categorical_question(template: Template) -> CategoricalQuestion | None:
    """Return the first single-choice label or pairwise question (what truth inference reads)."""
    for question in template.questions:
        if isinstance(question, LabelQuestion) and not question.multiple:
            return CategoricalQuestion(question.name, [o.value for o in question.options], question)
        if isinstance(question, PairwiseQuestion):
            classes = ["A", "B", "tie"] if question.allow_tie else ["A", "B"]
            return CategoricalQuestion(question.name, classes, question)
    return None


def load_project_data(session: Session, project: Project) -> ProjectData:
    """Read a project's tasks, responses and worker weights."""
    template = project_template(project)
    return ProjectData(
        project=project,
        template=template,
        tasks={t.id: t for t in store.list_project_tasks(session, project.id)},
        responses=store.list_project_responses(session, project.id),
        weights=store.get_weights(session, project.id),
        question=categorical_question(template),
    )


def answer_of(response: Response) -> dict[str, Any]:
    """Return the answer that counts: a reviewer's correction when there is one."""
    return response.reviewed_answer or response.answer


def class_of(question: CategoricalQuestion, answer: dict[str, Any] | None) -> int | None:
    """Return the class code of an answer to the categorical question (None: unknown)."""
    if answer is None:
        return None
    key = answer_key(question.question, answer.get(question.name))
    if key is None or str(key) not in question.classes:
        return None
    return question.classes.index(str(key))


def encode_answers(data: ProjectData, responses: Iterable[Response]) -> AnswerMatrix | None:
    """Encode responses to the categorical question; None when there is nothing to encode."""
    question = data.question
    if question is None:
        return None
    tasks: dict[str, int] = {}
    workers: dict[str, int] = {}
    rows: list[tuple[int, int, int]] = []
    ids: list[str] = []
    statuses: list[str] = []
    seen: set[tuple[str, str]] = set()
    for response in sorted(responses, key=lambda r: (r.created_at, r.id), reverse=True):
        code = class_of(question, answer_of(response))
        if code is None or (response.task_id, response.worker_id) in seen:
            continue  # a rework keeps only the newest answer
        seen.add((response.task_id, response.worker_id))
        t = tasks.setdefault(response.task_id, len(tasks))
        w = workers.setdefault(response.worker_id, len(workers))
        rows.append((t, w, code))
        ids.append(response.id)
        statuses.append(response.status)
    if not rows:
        return None
    array = np.asarray(rows, dtype=np.intp)
    gold = {}
    for task_id, code in tasks.items():
        task = data.tasks.get(task_id)
        if task is not None and task.is_gold:
            truth = class_of(question, task.gold_answer)
            if truth is not None:
                gold[code] = truth
    return AnswerMatrix(
        classes=question.classes,
        task_ids=list(tasks),
        worker_ids=list(workers),
        task_idx=array[:, 0],
        worker_idx=array[:, 1],
        label_idx=array[:, 2],
        response_ids=ids,
        statuses=statuses,
        gold=gold,
    )


def payload_words(template: Template, payload: dict[str, Any]) -> int:
    """Words a worker has to read in a task's payload (text fields and model responses)."""
    words = 0
    for item in template.fields:
        value = payload.get(item.key)
        if isinstance(value, str):
            words += len(value.split())
        elif isinstance(item, ModelResponsesField) and isinstance(value, list):
            words += sum(
                len(str(r.get("content", "")).split()) for r in value if isinstance(r, dict)
            )
    return words


def response_texts(data: ProjectData, response: Response) -> str:
    """Return the free text a response wrote (all text questions joined)."""
    answer = answer_of(response)
    parts = [answer.get(name) for name in data.text_questions()]
    return "\n".join(p for p in parts if isinstance(p, str) and p.strip())
