"""Per-skill gold accuracy pooled across the organisation's projects that require the skill."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from assay.domain.enums import Role
from assay.services import quality_jobs, quality_review
from assay.services.accounts import create_account
from assay.services.actor import Actor
from assay.services.pooled_skills import update_pooled_skills
from assay.store.models import Organisation, Project, Worker
from tests.support.factories import (
    make_organisation,
    make_project,
    make_response,
    make_task,
    make_worker,
)
from tests.web.conftest import WebEnv, login

PASSWORD = "correct horse battery"


def _gold(session: Session, project: Project, worker: Worker, right: int, wrong: int) -> None:
    for index in range(right + wrong):
        task = make_task(session, project, is_gold=True, gold_answer={"sentiment": "neg"})
        correct = index < right
        answer = {"sentiment": "neg" if correct else "pos"}
        make_response(session, task, worker, answer, gold_correct=correct)


def _pooled(session: Session, org: Organisation, worker: Worker) -> dict[str, tuple[float, ...]]:
    actor = Actor(org_id=org.id, role=Role.WORKER, worker_id=worker.id)
    return {
        e.skill: (e.mean, e.low, e.high, e.n)
        for e in quality_review.worker_estimates(session, actor, worker.id)
        if e.skill.startswith("skill:")
    }


def test_a_recompute_pools_gold_over_every_project_requiring_the_skill(session: Session) -> None:
    org = make_organisation(session)
    cardiology = make_project(session, org, required_skills=["medicine:expert"])
    triage = make_project(session, org, required_skills=["medicine"])
    contracts = make_project(session, org, required_skills=["law"])
    open_to_all = make_project(session, org)
    ana, bo = make_worker(session, org), make_worker(session, org)
    _gold(session, cardiology, ana, 8, 2)
    _gold(session, triage, ana, 9, 1)
    _gold(session, contracts, ana, 2, 8)
    _gold(session, open_to_all, ana, 0, 5)
    _gold(session, cardiology, bo, 5, 5)
    session.commit()

    quality_jobs.recompute_project(session, cardiology)

    pooled = _pooled(session, org, ana)
    assert set(pooled) == {"skill:medicine"}
    mean, low, high, n = pooled["skill:medicine"]
    # Beta posterior: prior mean = everyone's pooled accuracy (17 + 5 + 1) / (30 + 2), worth
    # 10 answers; Ana's 17 right of 20 on both medicine projects (law and the rest left out).
    prior = 23 / 32
    assert n == 20 and mean == pytest.approx((10 * prior + 17) / 30)
    assert low < mean < high and high - low < 0.4
    assert _pooled(session, org, bo)["skill:medicine"][3] == 10
    assert any(
        e.skill == f"project:{cardiology.id}"
        for e in quality_review.worker_estimates(
            session, Actor(org_id=org.id, role=Role.REQUESTER), ana.id
        )
    )

    quality_jobs.recompute_project(session, contracts)
    law = _pooled(session, org, ana)["skill:law"]
    assert law[3] == 10 and law[0] < 0.5 < pooled["skill:medicine"][0]


def test_projects_without_required_skills_pool_nothing(session: Session) -> None:
    org = make_organisation(session)
    project = make_project(session, org)
    worker = make_worker(session, org)
    _gold(session, project, worker, 3, 0)
    session.flush()
    assert update_pooled_skills(session, project, {worker.id}) == 0
    assert (
        update_pooled_skills(session, make_project(session, org, required_skills=["x"]), set()) == 0
    )


def test_pooling_stays_inside_the_organisation(session: Session) -> None:
    ours, theirs = make_organisation(session), make_organisation(session)
    project = make_project(session, ours, required_skills=["medicine"])
    elsewhere = make_project(session, theirs, required_skills=["medicine"])
    worker = make_worker(session, ours)
    _gold(session, project, worker, 4, 0)
    outsider = make_worker(session, theirs)
    _gold(session, elsewhere, outsider, 0, 50)
    session.flush()
    assert update_pooled_skills(session, project, {worker.id}) == 1
    mean, _, _, n = _pooled(session, ours, worker)["skill:medicine"]
    # Alone on the skill: prior centred on (4 + 1) / (4 + 2); the other tenant's misses unseen.
    assert n == 4 and mean == pytest.approx((10 * 5 / 6 + 4) / 14)


def test_the_worker_page_shows_skills_across_projects(
    web_env: WebEnv, web_client: TestClient
) -> None:
    with web_env.factory() as session:
        lead = create_account(
            session, org_name="clinic", email="ops@clinic.test", password=PASSWORD, role="admin"
        )
        org = session.get_one(Organisation, lead.org_id)
        project = make_project(session, org, required_skills=["medicine"])
        worker = make_worker(session, org, handle="dr-ana")
        _gold(session, project, worker, 9, 1)
        session.commit()
        quality_jobs.recompute_project(session, project)
        worker_id = worker.id
    login(web_client, "ops@clinic.test", PASSWORD)
    page = web_client.get(f"/ops/workers/{worker_id}/quality")
    assert page.status_code == 200, page.text
    pooled = page.text.split('data-section="pooled-skills"', 1)[1].split("</section>", 1)[0]
    assert "<td>medicine</td>" in pooled and '<td class="num">10</td>' in pooled
