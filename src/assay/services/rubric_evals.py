"""Rubric evaluations: the endpoints answer an eval set; experts grade each answer per criterion.

Every item carries its own rubric (criteria with points, some must-have). When an item's
answers are generated, one grading task per (answer, criterion) opens: graders see the prompt,
the answer, the criterion and the whole rubric for context, and say met or not met. Per item
and model the met criteria are totalled by the rubric rules (a missed must-have scores 0) and
divided by the item's positive points; per model the mean over items comes with a 95%
Student-t interval. Answers are labelled with opaque ids, so graders never see which model
wrote them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from scipy import stats

from assay.domain.answers import rubric_score
from assay.domain.enums import Role
from assay.domain.questions import RubricCriterion, RubricQuestion
from assay.domain.rlhf import EvalItemImport, RubricEvalCreate
from assay.domain.task import TaskCreate, TaskImport
from assay.services.actor import Actor
from assay.services.documents import iter_task_documents
from assay.services.generation_jobs import enqueue_generation, new_response_id
from assay.services.model_projects import load_model_project, new_model_project
from assay.services.rlhf_presets import PROMPT_KEY, RUBRIC_EVAL, VERDICT_MET
from assay.services.tasks import store_tasks
from assay.store import Session
from assay.store import generations as store
from assay.store import model_endpoints as endpoint_store
from assay.store import projects as project_store
from assay.store.base import new_id
from assay.store.models import Project
from assay.store.models.rlhf import EvalItem, Generation

MODE = "rubric_eval"
CONFIDENCE = 0.95


def create_rubric_eval(session: Session, actor: Actor, spec: RubricEvalCreate) -> Project:
    """Create a rubric evaluation of one or more endpoints; commits."""
    actor.require(Role.REQUESTER)
    project, _setup = new_model_project(
        session,
        actor,
        spec,
        mode=MODE,
        template=RUBRIC_EVAL,
        prompt_key=PROMPT_KEY,
        options={"pass_threshold": spec.pass_threshold},
    )
    session.commit()
    return project


@dataclass(frozen=True)
class ItemImportReport:
    """Item ids in input order, and how many were new."""

    created: int
    existing: int
    item_ids: list[str] = field(default_factory=list)


def import_items(
    session: Session, actor: Actor, project_id: str, spec: EvalItemImport
) -> ItemImportReport:
    """Store the new eval items and queue their generations; idempotent by unique_id, commits."""
    actor.require(Role.REQUESTER)
    project, setup = load_model_project(session, actor, project_id, MODE)
    ids = store.find_eval_item_ids(session, project.id, [i.unique_id for i in spec.items])
    items: list[EvalItem] = []
    for spec_item in spec.items:
        if spec_item.unique_id in ids:
            continue
        item = EvalItem(
            id=new_id("evi"),
            org_id=project.org_id,
            project_id=project.id,
            unique_id=spec_item.unique_id,
            messages=spec_item.conversation(),
            rubric=[criterion.model_dump() for criterion in spec_item.rubric],
        )
        ids[item.unique_id] = item.id
        items.append(item)
    store.insert_eval_items(session, items)
    store.insert_generations(
        session, [_generation(project, item, e) for item in items for e in setup.endpoint_ids]
    )
    for item in items:
        enqueue_generation(
            session, org_id=project.org_id, eval_item_id=item.id, max_attempts=setup.max_attempts
        )
    session.commit()
    return ItemImportReport(
        created=len(items),
        existing=len(spec.items) - len(items),
        item_ids=[ids[i.unique_id] for i in spec.items],
    )


def _generation(project: Project, item: EvalItem, endpoint_id: str) -> Generation:
    return Generation(
        id=new_id("gen"),
        org_id=project.org_id,
        project_id=project.id,
        eval_item_id=item.id,
        endpoint_id=endpoint_id,
        response_id=new_response_id(),
    )


def _criterion_text(criterion: dict[str, Any]) -> str:
    gate = ", must have" if criterion.get("must_have") else ""
    return f"**{criterion['description']}** ({float(criterion['points']):g} points{gate})"


def settle_item(session: Session, org_id: str, eval_item_id: str) -> None:
    """Open the grading tasks of an item once none of its answers is still being generated."""
    item = store.get_eval_item(session, eval_item_id)
    if item is None:
        return
    generations = store.list_item_generations(session, item.id)
    if any(g.status == "pending" for g in generations):
        return
    project = project_store.get_project(session, org_id, item.project_id)
    assert project is not None
    rubric = "\n".join(f"- {_criterion_text(c)}" for c in item.rubric)
    tasks = [
        TaskCreate(
            unique_id=f"{item.id}/{generation.response_id}/{criterion['id']}",
            payload={
                PROMPT_KEY: item.messages,
                "response": generation.content or "",
                "criterion": _criterion_text(criterion),
                "rubric": rubric,
            },
            metadata={
                "eval_item_id": item.id,
                "generation_id": generation.id,
                "criterion_id": criterion["id"],
            },
        )
        for generation in generations
        if generation.status == "done"
        for criterion in item.rubric
    ]
    if tasks:
        system = Actor(org_id=org_id, role=Role.ADMIN)
        store_tasks(session, system, project, TaskImport(tasks=tasks))


@dataclass(frozen=True)
class ItemScore:
    """One model's graded answer to one item."""

    eval_item_id: str
    unique_id: str
    endpoint_id: str
    generation_id: str
    score: float
    points: float
    max_points: float
    passed: bool
    criteria: dict[str, bool]


@dataclass(frozen=True)
class ModelScore:
    """A model's mean score over the graded items, with a confidence interval."""

    endpoint_id: str
    endpoint_name: str
    items_graded: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    pass_rate: float | None


@dataclass(frozen=True)
class RubricEvalScores:
    """Scores per model and per graded answer; answers still being graded are counted."""

    models: list[ModelScore]
    items: list[ItemScore]
    answers_pending: int


def rubric_eval_scores(session: Session, actor: Actor, project_id: str) -> RubricEvalScores:
    """Score every fully graded answer and each model over them."""
    actor.require(Role.REQUESTER)
    project, setup = load_model_project(session, actor, project_id, MODE)
    items, pending = item_scores(session, project, float(setup.options.get("pass_threshold", 0.7)))
    endpoints = endpoint_store.list_endpoints_by_ids(session, actor.org_id, setup.endpoint_ids)
    by_endpoint: dict[str, list[ItemScore]] = defaultdict(list)
    for item in items:
        by_endpoint[item.endpoint_id].append(item)
    models = [
        _model_score(endpoint_id, endpoints[endpoint_id].name, by_endpoint[endpoint_id])
        for endpoint_id in setup.endpoint_ids
        if endpoint_id in endpoints
    ]
    return RubricEvalScores(models=models, items=items, answers_pending=pending)


def item_scores(
    session: Session, project: Project, pass_threshold: float
) -> tuple[list[ItemScore], int]:
    """Score each answer whose every criterion has a result; also count the others."""
    verdicts: dict[str, dict[str, bool]] = defaultdict(dict)
    for document in iter_task_documents(session, project.org_id, project.id, with_result_only=True):
        meta = document["metadata"] or {}
        answer = document["result"]["answer"] if document["result"] else {}
        if "generation_id" in meta and "criterion_id" in meta:
            verdicts[meta["generation_id"]][meta["criterion_id"]] = (
                answer.get("verdict") == VERDICT_MET
            )
    answers: dict[str, list[Generation]] = defaultdict(list)
    for generation in store.list_project_item_generations(session, project.id):
        answers[str(generation.eval_item_id)].append(generation)
    scores: list[ItemScore] = []
    pending = 0
    for item in store.list_eval_items(session, project.id):
        for generation in answers[item.id]:
            graded = verdicts.get(generation.id, {})
            if generation.status != "done":
                continue
            if len(graded) < len(item.rubric):
                pending += 1
                continue
            scores.append(_score(item, generation, graded, pass_threshold))
    return scores, pending


def _score(
    item: EvalItem, generation: Generation, met: dict[str, bool], pass_threshold: float
) -> ItemScore:
    question = RubricQuestion(
        type="rubric",
        name="grade",
        prompt="grade",
        criteria=[RubricCriterion(**criterion) for criterion in item.rubric],
    )
    points = rubric_score(question, met)
    max_points = sum(max(c.points, 0.0) for c in question.criteria)
    fraction = min(max(points / max_points, 0.0), 1.0) if max_points > 0 else 0.0
    return ItemScore(
        eval_item_id=item.id,
        unique_id=item.unique_id,
        endpoint_id=generation.endpoint_id,
        generation_id=generation.id,
        score=fraction,
        points=points,
        max_points=max_points,
        passed=fraction >= pass_threshold,
        criteria=dict(met),
    )


def _model_score(endpoint_id: str, name: str, items: list[ItemScore]) -> ModelScore:
    values = [item.score for item in items]
    low, high = mean_interval(values)
    return ModelScore(
        endpoint_id=endpoint_id,
        endpoint_name=name,
        items_graded=len(values),
        mean=sum(values) / len(values) if values else None,
        ci_low=low,
        ci_high=high,
        pass_rate=sum(item.passed for item in items) / len(items) if items else None,
    )


def mean_interval(values: list[float]) -> tuple[float | None, float | None]:
    """Return the 95% Student-t interval of the mean of scores in [0, 1], clipped to [0, 1].

    None when fewer than two values; a zero-width interval when they are all equal.
    """
    n = len(values)
    if n < 2:
        return None, None
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / math.sqrt(n)
    return max(mean - half, 0.0), min(mean + half, 1.0)
