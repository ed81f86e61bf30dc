"""A/B experiments and quality dashboards through the API."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assay.api.routes import experiments, quality
from assay.config import Settings
from tests.support.api import Keys, headers, post_ok, sentiment_project
from tests.support.routers import app_with

TEMPLATE_WITH_TEXT = {
    "fields": [{"kind": "text", "name": "review"}],
    "questions": [
        {
            "type": "label",
            "name": "sentiment",
            "prompt": "Sentiment?",
            "options": [{"value": "pos"}, {"value": "neu"}, {"value": "neg"}],
        },
        {"type": "text", "name": "why", "prompt": "Why?"},
    ],
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app_with(settings, quality.router, experiments.router)) as test_client:
        yield test_client


def _work(
    client: TestClient,
    keys: Keys,
    project_id: str,
    truth: dict[str, str],
    steps: int,
    rng: random.Random,
    *,
    why: bool = True,
) -> None:
    for step in range(steps):
        key = keys.workers[step % len(keys.workers)]
        lease = client.post("/v1/work/next", json={"project_id": project_id}, headers=headers(key))
        if lease.status_code != 200:
            continue
        body = lease.json()
        right = truth[body["task"]["payload"]["review"]]
        vote = (
            right
            if rng.random() < 0.9
            else rng.choice([x for x in ("pos", "neu", "neg") if x != right])
        )
        answer = {"sentiment": vote}
        if why:
            answer["why"] = f"because of the {rng.choice(['tone', 'words', 'ending'])} in {step}"
        post_ok(
            client,
            key,
            f"/v1/work/{body['id']}/submit",
            {"answer": answer, "active_time_ms": rng.randint(4000, 9000)},
        )


def test_an_experiment_splits_tasks_reports_and_promotes(client: TestClient, keys: Keys) -> None:
    rng = random.Random(3)
    project = post_ok(
        client,
        keys.requester,
        "/v1/projects",
        sentiment_project(redundancy=1, gold_rate=0.95, pay_per_task_cents=10),
    )
    truth = {f"r{i}": rng.choice(["pos", "neu", "neg"]) for i in range(80)}
    tasks = [
        {"unique_id": k, "payload": {"review": k}, "gold_answer": {"sentiment": v}}
        for k, v in truth.items()
    ]
    imported = post_ok(
        client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": tasks}
    )
    experiment = post_ok(
        client,
        keys.requester,
        f"/v1/projects/{project['id']}/experiments",
        {
            "name": "Higher pay",
            "factor": "pay",
            "unit": "tasks",
            "variants": [
                {"name": "control", "is_control": True, "share": 0.5},
                {"name": "paid-more", "share": 0.5, "config": {"pay_per_task_cents": 15}},
            ],
        },
    )
    assert experiment["status"] == "running"
    again = client.post(
        f"/v1/projects/{project['id']}/experiments",
        headers=headers(keys.requester),
        json={
            "name": "x",
            "factor": "pay",
            "variants": [{"name": "a", "is_control": True}, {"name": "b"}],
        },
    )
    assert again.status_code == 409
    assert len(imported["task_ids"]) == 80
    # Gold tasks are served to every worker; each answers each at most once.
    _work(client, keys, project["id"], truth, 200, rng, why=False)
    post_ok(client, keys.requester, f"/v1/projects/{project['id']}/quality/recompute")
    report = client.get(
        f"/v1/experiments/{experiment['id']}", headers=headers(keys.requester)
    ).json()
    variants = {v["name"]: v for v in report["variants"]}
    assert variants["control"]["gold_answered"] + variants["paid-more"]["gold_answered"] > 100
    assert {m["metric"] for m in report["metrics"]} >= {"quality", "speed", "cost"}
    cost = next(m for m in report["metrics"] if m["metric"] == "cost")
    assert cost["value_a"] == 10 and cost["value_b"] == 15 and cost["better"] == "a"
    assert report["recommendation"] in ("keep_a", "keep_running", "promote_b")
    promoted = post_ok(
        client,
        keys.requester,
        f"/v1/experiments/{experiment['id']}/promote",
        {"variant": "paid-more"},
    )
    assert promoted["status"] == "promoted"
    project_now = client.get(
        f"/v1/projects/{project['id']}", headers=headers(keys.requester)
    ).json()
    assert project_now["pay_per_task_cents"] == 15
    audit = client.get(
        f"/v1/audit?object_id={project['id']}", headers=headers(keys.requester)
    ).json()
    assert any(e["action"] == "experiment.promote" for e in audit)
    assert (
        client.get(
            f"/v1/experiments/{experiment['id']}", headers=headers(keys.other_requester)
        ).status_code
        == 404
    )


def test_the_dashboard_gives_each_metric_by_period_with_bands(
    client: TestClient, keys: Keys
) -> None:
    rng = random.Random(5)
    project = post_ok(
        client,
        keys.requester,
        "/v1/projects",
        {
            "name": "Texts",
            "template": TEMPLATE_WITH_TEXT,
            "redundancy": 2,
            "gold_rate": 0.3,
        },
    )
    truth = {f"t{i}": rng.choice(["pos", "neu", "neg"]) for i in range(40)}
    tasks = [{"unique_id": k, "payload": {"review": k}} for k in truth]
    tasks += [
        {"unique_id": f"g{k}", "payload": {"review": k}, "gold_answer": {"sentiment": v}}
        for k, v in list(truth.items())[:10]
    ]
    post_ok(client, keys.requester, f"/v1/projects/{project['id']}/tasks", {"tasks": tasks})
    _work(client, keys, project["id"], truth, 120, rng)
    post_ok(client, keys.requester, f"/v1/projects/{project['id']}/quality/recompute")
    board = client.get(
        f"/v1/projects/{project['id']}/quality/dashboard?period=week",
        headers=headers(keys.requester),
    ).json()
    assert board["period"] == "week"
    assert set(board["series"]) >= {
        "gold_accuracy",
        "agreement",
        "flagged_share",
        "throughput",
        "cost",
    }
    gold = [p for p in board["series"]["gold_accuracy"] if p["value"] is not None]
    assert gold and all(p["low"] <= p["value"] <= p["high"] for p in gold)
    agreement = [p for p in board["series"]["agreement"] if p["value"] is not None]
    assert (
        agreement and agreement[-1]["value"] > 0.3 and agreement[-1]["low"] <= agreement[-1]["high"]
    )
    assert sum(p["value"] for p in board["series"]["throughput"]) == board["summary"]["responses"]
    workers = client.get(
        f"/v1/projects/{project['id']}/quality/workers", headers=headers(keys.requester)
    ).json()
    assert {e["source"] for e in workers} >= {"gold", "agreement", "combined"}
    diversity = client.get(
        f"/v1/projects/{project['id']}/quality/diversity", headers=headers(keys.requester)
    ).json()
    assert diversity["texts"] > 50 and 0 <= diversity["mean_similarity"] <= 1
    assert (
        client.get(
            f"/v1/projects/{project['id']}/quality/dashboard", headers=headers(keys.workers[0])
        ).status_code
        == 403
    )
