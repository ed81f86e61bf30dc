from __future__ import annotations

from sqlalchemy import func, select

from assay.services.keys import authenticate, create_api_key
from assay.services.rlhf_demo import COMPARISON_NAME, RUBRIC_NAME, seed_rlhf_demo
from assay.store import SessionFactory
from assay.store.models import Project, Task
from assay.store.models.rlhf import Generation, ModelEndpoint


def test_the_demo_runs_offline_and_seeds_once(factory: SessionFactory) -> None:
    with factory() as session:
        secret = create_api_key(session, org_name="demo", role="requester", name="demo").secret
        actor = authenticate(session, secret)
        first = seed_rlhf_demo(session, actor)
        second = seed_rlhf_demo(session, actor)
    assert first == second and len(first.endpoint_ids) == 2 and len(first.project_ids) == 3
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ModelEndpoint)) == 2
        assert {g.status for g in session.scalars(select(Generation))} == {"done"}
        projects = {p.name: p.id for p in session.scalars(select(Project))}
        compared = session.scalars(
            select(Task).where(Task.project_id == projects[COMPARISON_NAME])
        ).all()
        assert len(compared) == 8 and {t.open_slots for t in compared} == {3}
        assert all(r["content"] for t in compared for r in t.payload["responses"])
        grading = session.scalar(
            select(func.count()).select_from(Task).where(Task.project_id == projects[RUBRIC_NAME])
        )
        assert grading == 3 * 2 * 3  # items x models x criteria
