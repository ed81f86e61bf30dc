from __future__ import annotations

import random

from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.domain.workforce import ReviewSubmit
from assay.services.keys import authenticate
from assay.services.reviews import next_review, submit_review
from assay.services.submissions import submit_response
from assay.services.work import claim_next
from assay.store import SessionFactory
from assay.store.models import Response, Result, Task
from assay.store.models.rlhf import ComparisonSides
from tests.rlhf.flows import comparison, endpoint, preference, prompts, run_jobs
from tests.support.api import Keys


def _seed_for(order: list[int]) -> int:
    """A seed whose first two-item shuffle is ``order``."""
    return next(s for s in range(100) if random.Random(s).sample([0, 1], k=2) == order)


STRAIGHT, SWAPPED = _seed_for([0, 1]), _seed_for([1, 0])


def _project(
    api: TestClient, keys: Keys, factory: SessionFactory, **extra: object
) -> tuple[str, Task]:
    ids = [endpoint(api, keys.requester, name)["id"] for name in ("concise", "thorough")]
    project_id = comparison(api, keys.requester, ids, **extra)
    (task_id,) = prompts(api, keys.requester, project_id, ["How do I brew green tea?"])
    run_jobs(factory)
    with factory() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return project_id, task


def _claim(factory: SessionFactory, key: str, project_id: str, seed: int):  # type: ignore[no-untyped-def]
    with factory() as session:
        return claim_next(session, authenticate(session, key), project_id, rng=random.Random(seed))


def _letter_of(shown: list[dict[str, str]], content: str) -> str:
    return "AB"[[r["content"] for r in shown].index(content)]


def test_each_worker_sees_their_own_order_and_choices_map_back_to_the_task(
    api: TestClient, keys: Keys, factory: SessionFactory
) -> None:
    project_id, task = _project(api, keys, factory, redundancy=4)
    canonical = task.payload["responses"]
    favourite = canonical[1]["content"]  # every worker prefers the task's "B"
    seen_orders = []
    for key, seed in zip(keys.workers, [STRAIGHT, SWAPPED, SWAPPED, STRAIGHT], strict=True):
        lease = _claim(factory, key, project_id, seed)
        shown = lease.task.payload["responses"]
        seen_orders.append([r["id"] for r in shown])
        letter = _letter_of(shown, favourite)
        with factory() as session:
            actor = authenticate(session, key)
            outcome = submit_response(session, actor, lease.assignment.id, preference(letter))
            assert outcome.response.answer["preference"]["choice"] == "B"
            again = submit_response(session, actor, lease.assignment.id, preference(letter))
            assert again.replayed and again.response.id == outcome.response.id
    ids = [r["id"] for r in canonical]
    assert seen_orders == [ids, ids[::-1], ids[::-1], ids]
    with factory() as session:
        sides = session.scalars(select(ComparisonSides)).all()
        assert {s.chosen_id for s in sides} == {ids[1]} and {s.rejected_id for s in sides} == {
            ids[0]
        }
        given = sorted(s.shown_answer["preference"]["choice"] for s in sides)  # type: ignore[index]
        assert given == ["A", "A", "B", "B"]  # as each worker clicked it
        flipped = [s for s in sides if s.shown_ids != ids]
        assert all(
            s.shown_answer["preference"]["axes"]["helpfulness"]["choice"] == "A" for s in flipped
        )  # type: ignore[index]
        answers = session.scalars(select(Response.answer)).all()
        assert {a["preference"]["axes"]["helpfulness"]["choice"] for a in answers} == {"B"}
        result = session.get(Result, task.id)
        assert (
            result is not None and result.answer["preference"] == "B" and result.confidence == 1.0
        )
        stored = session.get(Task, task.id)
        assert stored is not None and stored.payload["responses"] == canonical  # never reordered


def test_rework_shows_the_worker_the_same_order_again(
    api: TestClient, keys: Keys, factory: SessionFactory
) -> None:
    project_id, task = _project(
        api, keys, factory, redundancy=1, review_policy={"stages": [{"name": "review"}]}
    )
    first = _claim(factory, keys.workers[0], project_id, SWAPPED)
    shown = first.task.payload["responses"]
    assert [r["id"] for r in shown] == [r["id"] for r in task.payload["responses"]][::-1]
    with factory() as session:
        actor = authenticate(session, keys.workers[0])
        submit_response(session, actor, first.assignment.id, preference("A"))
    with factory() as session:
        reviewer = authenticate(session, keys.reviewer)
        item = next_review(session, reviewer, project_id)
        assert item is not None and item.response.answer["preference"]["choice"] == "B"
        submit_review(
            session, reviewer, item.response.id, ReviewSubmit(verdict="reject", reason="Why?")
        )
    again = _claim(factory, keys.workers[0], project_id, STRAIGHT)
    assert again.assignment.id == first.assignment.id
    assert again.task.payload["responses"] == shown


def test_projects_that_keep_the_order_show_tasks_as_stored(
    api: TestClient, keys: Keys, factory: SessionFactory
) -> None:
    project_id, task = _project(api, keys, factory, redundancy=2, randomise_sides=False)
    for key, seed in zip(keys.workers[:2], [STRAIGHT, SWAPPED], strict=True):
        lease = _claim(factory, key, project_id, seed)
        assert lease.task.payload == task.payload
        with factory() as session:
            outcome = submit_response(
                session, authenticate(session, key), lease.assignment.id, preference("A")
            )
            assert outcome.response.answer["preference"]["choice"] == "A"
    with factory() as session:
        assert session.scalars(select(ComparisonSides)).all() == []
