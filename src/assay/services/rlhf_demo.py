"""Offline demo of model work: demo endpoints, a comparison, a live chat and a rubric eval.

Every model response is generated on the spot. The demo endpoints use ``DemoModel``
(``kind="demo"``): canned, deterministic replies in two styles, with no network and no API
key, so ``make demo`` shows the whole flow on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from assay.domain.project import GuidelinesIn
from assay.domain.questions import RubricCriterion
from assay.domain.rlhf import (
    ChatProjectCreate,
    ComparisonCreate,
    EndpointCreate,
    EvalItemImport,
    EvalItemIn,
    PromptImport,
    PromptIn,
    RubricEvalCreate,
)
from assay.services.actor import Actor
from assay.services.chats import create_chat_project
from assay.services.comparisons import create_comparison_project, import_prompts
from assay.services.generation import run_generation
from assay.services.model_endpoints import create_endpoint, list_endpoints
from assay.services.model_pool import ModelPool
from assay.services.projects import list_projects
from assay.services.rubric_evals import create_rubric_eval, import_items
from assay.store import Session

DEMO_PERSONAS = {"Demo model: concise": "concise", "Demo model: thorough": "thorough"}
COMPARISON_NAME = "Model comparison (demo models)"
CHAT_NAME = "Live chat collection (demo models)"
RUBRIC_NAME = "Rubric evaluation (demo models)"
DEMO_PROMPTS = [
    "How do I brew a good cup of green tea?",
    "Why is the sky blue?",
    "What is the difference between a list and a tuple in Python?",
    "How should I prepare for a job interview?",
    "Explain compound interest to a teenager.",
    "What are the trade-offs between SQLite and PostgreSQL?",
    "How do I keep basil alive indoors?",
    "Write a Python function that reverses a string.",
]
_RUBRIC = [
    RubricCriterion(
        id="answers", description="Answers the question asked.", points=3, must_have=True
    ),
    RubricCriterion(id="accurate", description="Contains no factual error.", points=2),
    RubricCriterion(id="concise", description="Gets to the point without padding.", points=1),
]


@dataclass(frozen=True)
class RlhfDemo:
    """What the demo created: endpoint and project ids."""

    endpoint_ids: list[str]
    project_ids: list[str]


def seed_rlhf_demo(session: Session, actor: Actor) -> RlhfDemo:
    """Create (once) the demo endpoints and projects; ``actor`` is a requester of the org."""
    endpoints = {e.name: e for e in list_endpoints(session, actor)}
    for name, persona in DEMO_PERSONAS.items():
        if name not in endpoints:
            spec = EndpointCreate(name=name, kind="demo", model=persona)
            endpoints[name] = create_endpoint(session, actor, spec, secret_key="")
    ids = [endpoints[name].id for name in DEMO_PERSONAS]
    projects = {p.name: p for p in list_projects(session, actor)}
    if COMPARISON_NAME not in projects:
        _seed_comparison(session, actor, ids)
    if CHAT_NAME not in projects:
        create_chat_project(session, actor, ChatProjectCreate(name=CHAT_NAME, endpoint_ids=ids))
    if RUBRIC_NAME not in projects:
        _seed_rubric_eval(session, actor, ids)
    wanted = (COMPARISON_NAME, CHAT_NAME, RUBRIC_NAME)
    project_ids = [p.id for p in list_projects(session, actor) if p.name in wanted]
    return RlhfDemo(endpoint_ids=ids, project_ids=project_ids)


def _offline_pool() -> ModelPool:
    def no_key() -> str:
        raise AssertionError("demo models need no API key")

    return ModelPool(no_key)


def _seed_comparison(session: Session, actor: Actor, endpoint_ids: list[str]) -> None:
    spec = ComparisonCreate(
        name=COMPARISON_NAME,
        endpoint_ids=endpoint_ids,
        redundancy=3,
        guidelines=GuidelinesIn(
            goal="Preference data: which reply would a careful expert rather receive?",
            principles=["Judge substance before style.", "Say why in one or two sentences."],
        ),
    )
    project = create_comparison_project(session, actor, spec)
    prompts = [PromptIn(unique_id=f"demo-{i}", prompt=p) for i, p in enumerate(DEMO_PROMPTS)]
    report = import_prompts(session, actor, project.id, PromptImport(prompts=prompts))
    pool = _offline_pool()
    for task_id in report.task_ids:  # demo models answer at once: no need to wait for jobs
        run_generation(session, pool, actor.org_id, {"task_id": task_id})


def _seed_rubric_eval(session: Session, actor: Actor, endpoint_ids: list[str]) -> None:
    spec = RubricEvalCreate(name=RUBRIC_NAME, endpoint_ids=endpoint_ids, redundancy=1)
    project = create_rubric_eval(session, actor, spec)
    items = [
        EvalItemIn(unique_id=f"demo-{i}", prompt=prompt, rubric=_RUBRIC)
        for i, prompt in enumerate(DEMO_PROMPTS[:3])
    ]
    report = import_items(session, actor, project.id, EvalItemImport(items=items))
    pool = _offline_pool()
    for item_id in report.item_ids:
        run_generation(session, pool, actor.org_id, {"eval_item_id": item_id})
