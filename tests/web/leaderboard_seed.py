"""A comparison project of four demo models with a few hundred votes, for the leaderboard pages."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.domain.enums import Role
from assay.domain.rlhf import ComparisonCreate, EndpointCreate, PromptImport, PromptIn
from assay.errors import NoTaskAvailable
from assay.services.accounts import create_account
from assay.services.actor import Actor
from assay.services.comparisons import create_comparison_project, import_prompts
from assay.services.generation import run_generation
from assay.services.model_endpoints import create_endpoint
from assay.services.model_pool import ModelPool
from assay.services.rlhf_demo import DEMO_PROMPTS
from assay.services.submissions import submit_response
from assay.services.work import claim_next
from assay.store.models import Organisation
from assay.store.models.rlhf import Generation
from tests.rlhf.flows import preference
from tests.support.factories import make_worker

PASSWORD = "correct horse battery"
# Planted strengths (log-odds) the simulated raters vote by.
STRENGTHS = {"structured": 1.2, "thorough": 0.6, "friendly": 0.0, "concise": -0.8}


@dataclass(frozen=True)
class Arena:
    """What the page tests open."""

    email: str
    worker_email: str
    project_id: str


def _no_key() -> str:
    raise AssertionError("demo models need no API key")


def seed_arena(session: Session, *, prompts: int = 24, workers: int = 6, seed: int = 3) -> Arena:
    """Four demo models answer ``prompts`` prompts; ``workers`` raters vote by the strengths."""
    rng = random.Random(seed)
    lead = create_account(
        session, org_name="arena", email="lead@arena.test", password=PASSWORD, role="admin"
    )
    org = session.scalars(select(Organisation).where(Organisation.name == "arena")).one()
    actor = Actor(org_id=org.id, role=Role.ADMIN, account_id=lead.id)
    ids = [
        create_endpoint(
            session, actor, EndpointCreate(name=f"Demo {p}", kind="demo", model=p), secret_key=""
        ).id
        for p in STRENGTHS
    ]
    spec = ComparisonCreate(name="Arena", endpoint_ids=ids, redundancy=3)
    project = create_comparison_project(session, actor, spec)
    items = [
        PromptIn(
            unique_id=f"q{i}",
            prompt=f"{DEMO_PROMPTS[i % len(DEMO_PROMPTS)]} (variant {i})",
            metadata={"category": "code" if "Python" in DEMO_PROMPTS[i % 8] else "general"},
        )
        for i in range(prompts)
    ]
    report = import_prompts(session, actor, project.id, PromptImport(prompts=items))
    pool = ModelPool(_no_key)
    for task_id in report.task_ids:
        run_generation(session, pool, org.id, {"task_id": task_id})
    persona = {
        g.response_id: g.endpoint_id
        for g in session.scalars(select(Generation).where(Generation.project_id == project.id))
    }
    strength = {endpoint_id: s for endpoint_id, s in zip(ids, STRENGTHS.values(), strict=True)}
    raters = [make_worker(session, org) for _ in range(workers)]
    session.commit()
    share = math.ceil(prompts * spec.redundancy / workers)  # spread the votes over everyone
    for index, rater in enumerate(raters):
        worker_actor = Actor(org_id=org.id, role=Role.WORKER, worker_id=rater.id)
        hasty = index == workers - 1  # one rater clicks through in half a second
        for _ in range(share):
            try:
                lease = claim_next(session, worker_actor, project.id, rng=rng)
            except NoTaskAvailable:
                session.rollback()
                break
            shown = lease.task.payload["responses"]
            gap = strength[persona[shown[0]["id"]]] - strength[persona[shown[1]["id"]]]
            roll = rng.random()
            choice = "A" if roll < 1 / (1 + math.exp(-gap)) else "B"
            if 0.45 < roll < 0.52:
                choice = "tie"
            submit_response(
                session,
                worker_actor,
                lease.assignment.id,
                preference(choice),
                active_time_ms=500 if hasty else 45_000,
            )
    create_account(
        session,
        org_name="arena",
        email="rater@arena.test",
        password=PASSWORD,
        role="worker",
        worker_handle="rater",
    )
    return Arena(email="lead@arena.test", worker_email="rater@arena.test", project_id=project.id)
