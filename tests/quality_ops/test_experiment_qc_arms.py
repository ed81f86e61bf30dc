"""A quality-control experiment: each arm's gold rate and review stages are what its work meets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assay.api.routes import experiments, quality
from assay.config import Settings
from assay.services.keys import create_api_key
from assay.store import make_engine, make_session_factory
from tests.support.api import Keys, headers, post_ok
from tests.support.routers import app_with

TEMPLATE: dict[str, Any] = {
    "fields": [{"kind": "text", "name": "review"}],
    "questions": [
        {
            "type": "label",
            "name": "sentiment",
            "prompt": "Sentiment?",
            "options": [{"value": "pos"}, {"value": "neg"}],
        }
    ],
}
REVIEWED = {"stages": [{"name": "check", "on_reject": "rework"}]}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app_with(settings, quality.router, experiments.router)) as test_client:
        yield test_client


def _worker_keys(settings: Settings, count: int) -> list[str]:
    engine = make_engine(settings.resolved_database_url())
    with make_session_factory(engine)() as session:
        secrets = [
            create_api_key(session, org_name="acme", role="worker", name=f"arm-{i}").secret
            for i in range(count)
        ]
    engine.dispose()
    return secrets


def _project(client: TestClient, keys: Keys, regular: int, gold: int) -> str:
    body = {"name": "QC A/B", "template": TEMPLATE, "redundancy": 1, "pay_per_task_cents": 10}
    project_id: str = post_ok(client, keys.requester, "/v1/projects", body)["id"]
    items = [{"unique_id": f"t{i}", "payload": {"review": f"Review {i}"}} for i in range(regular)]
    items += [
        {
            "unique_id": f"g{i}",
            "payload": {"review": f"Review g{i}"},
            "gold_answer": {"sentiment": "pos"},
        }
        for i in range(gold)
    ]
    post_ok(client, keys.requester, f"/v1/projects/{project_id}/tasks", {"tasks": items})
    return project_id


def _experiment(client: TestClient, keys: Keys, project_id: str, unit: str, **arm: Any) -> Any:
    return client.post(
        f"/v1/projects/{project_id}/experiments",
        json={
            "name": "QC policy",
            "factor": "qc_policy",
            "unit": unit,
            "variants": [
                {"name": "control", "is_control": True, "config": {}},
                # The challenger's pay tells the test which arm a lease is in.
                {"name": "challenger", "config": {"pay_per_task_cents": 15, **arm}},
            ],
        },
        headers=headers(keys.requester),
    )


def test_each_worker_arm_meets_its_own_gold_rate(
    client: TestClient, keys: Keys, settings: Settings
) -> None:
    project_id = _project(client, keys, regular=120, gold=60)
    created = _experiment(client, keys, project_id, "workers", gold_rate=0.8)
    assert created.status_code == 201, created.text
    gold_by_arm: dict[int, list[bool]] = {10: [], 15: []}
    for key in _worker_keys(settings, 12):
        for _ in range(6):
            lease = post_ok(client, key, "/v1/work/next", {"project_id": project_id})
            task = client.get(
                f"/v1/tasks/{lease['task']['id']}", headers=headers(keys.requester)
            ).json()
            gold_by_arm[lease["project"]["pay_per_task_cents"]].append(task["is_gold"])
            post_ok(client, key, f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": "pos"}})
    control, challenger = gold_by_arm[10], gold_by_arm[15]
    assert control and challenger, "twelve workers all landed in one arm"
    assert not any(control)  # the project's gold rate is 0
    assert sum(challenger) / len(challenger) > 0.5


def test_each_arm_sends_its_work_through_its_own_review_stages(
    client: TestClient, keys: Keys
) -> None:
    project_id = _project(client, keys, regular=40, gold=0)
    created = _experiment(client, keys, project_id, "tasks", review_policy=REVIEWED)
    assert created.status_code == 201, created.text
    statuses: dict[int, set[str]] = {10: set(), 15: set()}
    for step in range(40):
        key = keys.workers[step % len(keys.workers)]
        lease = post_ok(client, key, "/v1/work/next", {"project_id": project_id})
        post_ok(client, key, f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": "pos"}})
        responses = client.get(
            f"/v1/tasks/{lease['task']['id']}/responses", headers=headers(keys.requester)
        ).json()
        statuses[lease["project"]["pay_per_task_cents"]].add(responses[0]["status"])
    assert statuses == {10: {"accepted"}, 15: {"in_review"}}
    item = post_ok(client, keys.reviewer, "/v1/reviews/next", {"project_id": project_id})
    assert item["stage"] == "check"
    post_ok(client, keys.reviewer, f"/v1/reviews/{item['response_id']}", {"verdict": "accept"})
    reviewed = client.get(
        f"/v1/tasks/{item['task_id']}/responses", headers=headers(keys.requester)
    ).json()
    assert reviewed[0]["status"] == "accepted"


def test_a_gold_rate_arm_needs_a_worker_split_and_a_review_policy_must_be_valid(
    client: TestClient, keys: Keys
) -> None:
    project_id = _project(client, keys, regular=2, gold=0)
    by_task = _experiment(client, keys, project_id, "tasks", gold_rate=0.5)
    assert by_task.status_code == 422
    assert "unit: workers" in by_task.json()["error"]["message"]
    bad_stage = {"stages": [{"name": "Check!", "sample_rate": 2}]}
    invalid = _experiment(client, keys, project_id, "tasks", review_policy=bad_stage)
    assert invalid.status_code == 422
    assert "review_policy.stages.0.name" in invalid.json()["error"]["message"]
    same = client.post(
        f"/v1/projects/{project_id}/experiments",
        json={
            "name": "No difference",
            "factor": "qc_policy",
            "variants": [
                {"name": "control", "is_control": True, "config": {}},
                {"name": "challenger", "config": {"pay_per_task_cents": 15}},
            ],
        },
        headers=headers(keys.requester),
    )
    assert same.status_code == 422
    assert "gold_rate or review_policy" in same.json()["error"]["message"]
