"""The delivery gate through the API: hold, explain, buy from experts only, release."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assay.api.routes import quality
from assay.config import Settings
from assay.services.confidence import (
    MIN_GOLD_TASKS,
    calibrated,
    effective_accuracy,
    posterior_for,
    raw_target,
)
from assay.store import make_engine, make_session_factory
from assay.store.models import Project, Worker
from assay.store.models.quality_ops import ConfidenceCalibration, WorkerSkillEstimate
from tests.support.api import Keys, headers, post_ok, sentiment_project, sentiment_tasks
from tests.support.routers import app_with


@pytest.fixture
def gated(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app_with(settings, quality.router)) as client:
        yield client


def _me(client: TestClient, key: str) -> str:
    return str(client.get("/v1/me", headers=headers(key)).json()["id"])


def _estimate(settings: Settings, worker_id: str, project_id: str, mean: float) -> None:
    factory = make_session_factory(make_engine(settings.resolved_database_url()))
    with factory() as session:
        worker = session.get(Worker, worker_id)
        assert worker is not None
        session.add(
            WorkerSkillEstimate(
                org_id=worker.org_id,
                worker_id=worker_id,
                skill=f"project:{project_id}",
                source="combined",
                mean=mean,
                low=mean - 0.05,
                high=min(mean + 0.05, 1.0),
                n=50,
            )
        )
        session.commit()


def _identity_calibration(settings: Settings, project_id: str) -> None:
    """A fitted calibration that keeps raw confidence (these tests have no gold to fit one on)."""
    factory = make_session_factory(make_engine(settings.resolved_database_url()))
    with factory() as session:
        project = session.get(Project, project_id)
        assert project is not None
        session.add(
            ConfidenceCalibration(
                project_id=project_id,
                org_id=project.org_id,
                method="isotonic",
                points={"x": [0.0, 1.0], "y": [0.0, 1.0]},
                reliability={},
                samples=0,
            )
        )
        session.commit()


def test_without_calibration_a_gated_task_waits_and_says_why(gated: TestClient, keys: Keys) -> None:
    client = gated
    project = post_ok(client, keys.requester, "/v1/projects", sentiment_project(redundancy=1))
    client.put(
        f"/v1/projects/{project['id']}/quality/settings",
        json={"quality_target": 0.9},
        headers=headers(keys.requester),
    )
    task_id = post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )["task_ids"][0]
    lease = post_ok(client, keys.workers[0], "/v1/work/next", {})
    post_ok(
        client, keys.workers[0], f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": "pos"}}
    )
    gate = client.get(f"/v1/tasks/{task_id}/gate", headers=headers(keys.requester)).json()
    assert gate["status"] == "calibrating" and f"{MIN_GOLD_TASKS} gold tasks" in gate["reasons"][0]
    assert "some gold answered right" in gate["reasons"][0]  # the other way to stay uncalibrated
    assert "answered by 1 worker or more" in gate["reasons"][0]


def test_a_contested_task_is_held_explained_and_bought_from_an_expert(
    gated: TestClient, keys: Keys, settings: Settings
) -> None:
    client = gated
    project = post_ok(client, keys.requester, "/v1/projects", sentiment_project(redundancy=2))
    settings_body = {"quality_target": 0.9, "max_responses": 4}
    answer = client.put(
        f"/v1/projects/{project['id']}/quality/settings",
        json=settings_body,
        headers=headers(keys.requester),
    )
    assert answer.status_code == 200 and answer.json()["quality_target"] == 0.9
    task_id = post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )["task_ids"][0]
    _identity_calibration(settings, project["id"])
    ids = [_me(client, k) for k in keys.workers]
    for worker_id, mean in zip(ids, [0.7, 0.7, 0.6, 0.95], strict=True):
        _estimate(settings, worker_id, project["id"], mean)
    for key, vote in zip(keys.workers[:2], ["pos", "neg"], strict=True):
        lease = post_ok(client, key, "/v1/work/next", {"project_id": project["id"]})
        post_ok(client, key, f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": vote}})
    gate = client.get(f"/v1/tasks/{task_id}/gate", headers=headers(keys.requester)).json()
    assert gate["status"] == "buying" and gate["confidence"] < 0.9
    assert any("buying a response from workers at >=" in r for r in gate["reasons"])
    # The bought slot is for experts: the 0.6 worker gets nothing, the 0.95 expert gets it.
    assert (
        client.post("/v1/work/next", json={}, headers=headers(keys.workers[2])).status_code == 404
    )
    lease = post_ok(client, keys.workers[3], "/v1/work/next", {})
    assert lease["task"]["id"] == task_id
    post_ok(
        client, keys.workers[3], f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": "pos"}}
    )
    gate = client.get(f"/v1/tasks/{task_id}/gate", headers=headers(keys.requester)).json()
    assert gate["status"] == "released" and gate["confidence"] >= 0.9
    assert gate["extra_responses"] == 1
    result = client.get(f"/v1/tasks/{task_id}/result", headers=headers(keys.requester)).json()
    assert result["answer"]["sentiment"] == "pos" and result["method"] == "one_coin_calibrated"


def test_a_project_without_target_delivers_at_completion(gated: TestClient, keys: Keys) -> None:
    client = gated
    project = post_ok(client, keys.requester, "/v1/projects", sentiment_project(redundancy=1))
    task_id = post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )["task_ids"][0]
    lease = post_ok(client, keys.workers[0], "/v1/work/next", {})
    post_ok(
        client, keys.workers[0], f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": "neu"}}
    )
    gate = client.get(f"/v1/tasks/{task_id}/gate", headers=headers(keys.requester)).json()
    assert gate["status"] == "no_gate"
    assert (
        client.get(f"/v1/tasks/{task_id}", headers=headers(keys.requester)).json()["state"]
        == "complete"
    )


def test_escalated_task_is_released_by_an_expert_decision(
    gated: TestClient, keys: Keys, settings: Settings
) -> None:
    client = gated
    project = post_ok(client, keys.requester, "/v1/projects", sentiment_project(redundancy=2))
    _identity_calibration(settings, project["id"])
    client.put(
        f"/v1/projects/{project['id']}/quality/settings",
        json={"quality_target": 0.99, "max_responses": 2},
        headers=headers(keys.requester),
    )
    task_id = post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": sentiment_tasks(1)}
    )["task_ids"][0]
    for key, vote in zip(keys.workers[:2], ["pos", "neg"], strict=True):
        lease = post_ok(client, key, "/v1/work/next", {})
        post_ok(client, key, f"/v1/work/{lease['id']}/submit", {"answer": {"sentiment": vote}})
    gate = client.get(f"/v1/tasks/{task_id}/gate", headers=headers(keys.requester)).json()
    assert gate["status"] == "escalated" and "cost cap of 2 responses reached" in gate["reasons"]
    released = post_ok(
        client,
        keys.requester,
        f"/v1/tasks/{task_id}/gate/release",
        {"reason": "expert read it: negative", "answer": {"sentiment": "neg"}},
    )
    assert released["status"] == "released"
    result = client.get(f"/v1/tasks/{task_id}/result", headers=headers(keys.requester)).json()
    assert result["answer"]["sentiment"] == "neg" and result["method"] == "expert_decision"
    again = client.post(
        f"/v1/tasks/{task_id}/gate/release", json={}, headers=headers(keys.requester)
    )
    assert again.status_code == 409
    other = client.get(f"/v1/tasks/{task_id}/gate", headers=headers(keys.other_requester))
    assert other.status_code == 404


def test_confidence_maths() -> None:
    assert effective_accuracy(0.9, 1.0, 3) == pytest.approx(0.9)
    assert effective_accuracy(0.9, 0.0, 3) == pytest.approx(1 / 3)
    assert 1 / 3 < effective_accuracy(0.9, 0.5, 3) < 0.9
    even = posterior_for(
        [0, 1],
        ["a", "b"],
        accuracy={"a": 0.8, "b": 0.8},
        weights={},
        default_accuracy=0.7,
        n_classes=2,
    )
    assert even.tolist() == pytest.approx([0.5, 0.5])
    trusted = posterior_for(
        [0, 1],
        ["a", "b"],
        accuracy={"a": 0.95, "b": 0.6},
        weights={},
        default_accuracy=0.7,
        n_classes=2,
    )
    assert trusted[0] > 0.9
    halved = posterior_for(
        [0, 1],
        ["a", "b"],
        accuracy={"a": 0.95, "b": 0.6},
        weights={"a": 0.0},
        default_accuracy=0.7,
        n_classes=2,
    )
    assert halved[1] > 0.5
    calibration = ConfidenceCalibration(
        points={"x": [0.0, 0.5, 0.9, 1.0], "y": [0.0, 0.4, 0.8, 0.95]}
    )
    assert calibrated(0.9, calibration) == pytest.approx(0.8)
    assert calibrated(0.7, None) == 0.7
    assert raw_target(0.8, calibration) == 0.9
    assert raw_target(0.99, calibration) is None


def test_gold_answered_right_every_time_calibrates_the_gate_and_it_delivers(
    gated: TestClient, keys: Keys
) -> None:
    """Flawless gold is evidence too: it vouches for (right + 1) / (tasks + 2), not nothing."""
    client = gated
    project = post_ok(
        client, keys.requester, "/v1/projects", sentiment_project(redundancy=3, gold_rate=0.99)
    )
    base = f"/v1/projects/{project['id']}"
    client.put(
        f"{base}/quality/settings", json={"quality_target": 0.9}, headers=headers(keys.requester)
    )
    gold = [
        {
            "unique_id": f"g{i}",
            "payload": {"review": f"gold {i}"},
            "gold_answer": {"sentiment": "pos"},
        }
        for i in range(MIN_GOLD_TASKS + 2)
    ]
    plain = {"unique_id": "plain", "payload": {"review": "Lovely."}}
    created = post_ok(client, keys.requester, f"{base}/tasks", {"tasks": [*gold, plain]})
    task_id = created["task_ids"][-1]
    for worker in keys.workers[:3]:
        # A claim that draws "regular work" (1 in 100) finds none once the plain task is
        # answered, though gold remains: only a run of refusals means the worker is done.
        refusals = 0
        while refusals < 5:
            lease = client.post("/v1/work/next", json={}, headers=headers(worker))
            if not lease.is_success:
                refusals += 1
                continue
            refusals = 0
            answer = {"answer": {"sentiment": "pos"}}
            post_ok(client, worker, f"/v1/work/{lease.json()['id']}/submit", answer)
    post_ok(client, keys.requester, f"{base}/quality/recompute")
    gate = client.get(f"/v1/tasks/{task_id}/gate", headers=headers(keys.requester)).json()
    assert gate["status"] == "released", gate
    result = client.get(f"/v1/tasks/{task_id}/result", headers=headers(keys.requester)).json()
    assert result["answer"] == {"sentiment": "pos"}
    assert result["confidence"] <= (len(gold) + 1) / (len(gold) + 2) + 1e-9
