from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.store import SessionFactory
from assay.store.models import Job, Task
from assay.store.models.rlhf import Generation
from tests.rlhf.conftest import FAKE_KEY
from tests.rlhf.flows import (
    ScriptedReplies,
    comparison,
    endpoint,
    generations,
    lease,
    prompts,
    run_jobs,
)
from tests.support.api import Keys, headers
from tests.support.fake_openai import FakeOpenAI, FakeReply

RATE_LIMITED = FakeReply(status=429, retry_after=0)
SERVER_ERROR = FakeReply(status=500)
TOO_SLOW = FakeReply(content="late", delay=1.0)


def _two_models(api: TestClient, keys: Keys, fake: FakeOpenAI, **settings: object) -> list[str]:
    common = {"base_url": fake.base_url, "api_key": FAKE_KEY, "timeout_seconds": 0.3, **settings}
    return [endpoint(api, keys.requester, name, **common)["id"] for name in ("alpha", "beta")]  # type: ignore[arg-type]


def _tasks(factory: SessionFactory, project_id: str) -> list[Task]:
    with factory() as session:
        return list(session.scalars(select(Task).where(Task.project_id == project_id)))


def test_429_500_and_timeouts_are_retried_by_jobs_and_no_task_is_lost(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    ids = _two_models(api, keys, fake, max_retries=0)
    project_id = comparison(
        api,
        keys.requester,
        ids,
        redundancy=1,
        system_prompt="Be brief.",
        params={"temperature": 0.2},
    )
    script.add("alpha", RATE_LIMITED, SERVER_ERROR, TOO_SLOW)
    task_ids = prompts(api, keys.requester, project_id, ["Why is the sky blue?", "Boil an egg?"])
    assert generations(api, keys.requester, project_id)["counts"] == {
        "pending": 4,
        "done": 0,
        "failed": 0,
    }
    assert lease(api, keys.workers[0], project_id) is None  # nothing to lease before the answers

    first = run_jobs(factory)
    assert sorted(first.retried) and not first.done  # alpha failed on both tasks
    assert lease(api, keys.workers[0], project_id) is None
    run_jobs(factory, rounds=2)

    status = generations(api, keys.requester, project_id)
    assert status["counts"] == {"pending": 0, "done": 4, "failed": 0}
    assert {t.id for t in _tasks(factory, project_id) if t.open_slots == 1} == set(task_ids)
    with factory() as session:
        alpha = session.scalars(select(Generation).where(Generation.endpoint_id == ids[0])).all()
        assert sorted(g.attempts for g in alpha) == [2, 3]
        assert {j.status for j in session.scalars(select(Job))} == {"done"}
    sent = fake.requests[0]
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}
    assert sent["temperature"] == 0.2
    leased = lease(api, keys.workers[0], project_id)
    assert leased is not None
    responses = leased["task"]["payload"]["responses"]
    assert len(responses) == 2 and all(set(r) == {"id", "content"} for r in responses)
    assert not any(name in r["id"] for r in responses for name in ("alpha", "beta", "mep_"))
    assert {r["content"].split("]")[0] for r in responses} == {"[alpha", "[beta"}


def test_the_adapter_retries_within_one_job_run(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    ids = _two_models(api, keys, fake, max_retries=3)
    project_id = comparison(api, keys.requester, ids)
    script.add("alpha", RATE_LIMITED, SERVER_ERROR, TOO_SLOW)
    prompts(api, keys.requester, project_id, ["Name a prime."])
    report = run_jobs(factory)
    assert len(report.done) == 1 and not report.retried
    with factory() as session:
        assert {g.attempts for g in session.scalars(select(Generation))} == {1}
    assert sum(1 for r in fake.requests if r["model"] == "alpha") == 4


def test_a_persistent_failure_is_visible_and_can_be_retried(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    ids = _two_models(api, keys, fake, max_retries=0)
    project_id = comparison(api, keys.requester, ids, max_attempts=2)
    script.always["alpha"] = SERVER_ERROR
    (task_id,) = prompts(api, keys.requester, project_id, ["Explain tides."])
    report = run_jobs(factory, rounds=3)
    assert report.failed == []  # the job ends cleanly; the generation records the failure
    status = generations(api, keys.requester, project_id)
    assert status["counts"] == {"pending": 0, "done": 1, "failed": 1}
    (failure,) = status["failed"]
    assert failure["task_id"] == task_id and failure["attempts"] == 2 and "500" in failure["error"]
    assert lease(api, keys.workers[0], project_id) is None
    task = api.get(f"/v1/tasks/{task_id}", headers=headers(keys.requester)).json()
    assert task["state"] == "open"  # kept, waiting for its answers

    del script.always["alpha"]
    retried = api.post(
        f"/v1/projects/{project_id}/generations/retry", json={}, headers=headers(keys.requester)
    )
    assert retried.json() == {"queued": 1}
    run_jobs(factory)
    assert generations(api, keys.requester, project_id)["counts"]["done"] == 2
    assert lease(api, keys.workers[0], project_id) is not None


def test_an_error_retrying_cannot_fix_fails_at_once(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI
) -> None:
    good = endpoint(api, keys.requester, "alpha", base_url=fake.base_url, api_key=FAKE_KEY)
    wrong = endpoint(api, keys.requester, "beta", base_url=fake.base_url, api_key="sk-wrong")
    project_id = comparison(api, keys.requester, [good["id"], wrong["id"]])
    prompts(api, keys.requester, project_id, ["Hello?"])
    run_jobs(factory)
    (failure,) = generations(api, keys.requester, project_id)["failed"]
    assert (
        failure["attempts"] == 1
        and "401" in failure["error"]
        and "sk-wrong" not in failure["error"]
    )


def test_prompts_go_only_to_comparison_projects_and_import_is_idempotent(
    api: TestClient, keys: Keys, factory: SessionFactory
) -> None:
    ids = [endpoint(api, keys.requester, name)["id"] for name in ("concise", "thorough")]
    project_id = comparison(api, keys.requester, ids)
    first = prompts(api, keys.requester, project_id, ["a", "b"])
    again = prompts(api, keys.requester, project_id, ["a", "b"])
    assert first == again
    with factory() as session:
        assert len(session.scalars(select(Generation)).all()) == 4
        assert len(session.scalars(select(Job)).all()) == 2
    plain = api.post(
        "/v1/projects",
        json={
            "name": "p",
            "template": {"questions": [{"type": "text", "name": "t", "prompt": "?"}]},
        },
        headers=headers(keys.requester),
    ).json()
    refused = api.post(
        f"/v1/comparisons/{plain['id']}/prompts",
        json={"prompts": [{"unique_id": "x", "prompt": "y"}]},
        headers=headers(keys.requester),
    )
    assert refused.status_code == 409
    bad = api.post(
        f"/v1/comparisons/{project_id}/prompts",
        json={
            "prompts": [{"unique_id": "x", "messages": [{"role": "assistant", "content": "hi"}]}]
        },
        headers=headers(keys.requester),
    )
    assert bad.status_code == 422
