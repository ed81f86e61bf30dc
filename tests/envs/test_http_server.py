from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assay.envs import ReferenceAgent, get_task, run_task
from assay.envs.http_server import EnvServer


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with EnvServer() as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


@pytest.mark.parametrize(
    ("task_id", "faults"),
    [("eng-incident-notice", True), ("ops-page-oncall", True), ("fin-feb-cloud-spend", False)],
)
def test_the_reference_plan_scores_the_same_over_http(
    client: httpx.Client, task_id: str, faults: bool
) -> None:
    reset = client.post("/reset", json={"task_id": task_id, "seed": 0, "faults": faults}).json()
    episode_id = reset["episode_id"]
    assert (reset["reward"], reset["done"]) == (0.0, False)

    def call(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        response = client.post(
            "/step",
            json={"episode_id": episode_id, "action": {"tool": tool, "arguments": arguments}},
        )
        assert response.status_code == 200
        return dict(response.json()["observation"])

    ReferenceAgent().drive(task_id, call, reset["observation"])
    state = client.get("/state", params={"episode_id": episode_id}).json()
    in_process = run_task(ReferenceAgent(), get_task(task_id), faults=faults, seed=0).result()
    assert state["done"] and state["score"] == in_process.score == 1.0
    assert state["state_hash"] == in_process.state_hash and state["step_count"] == in_process.steps
    steps = client.get("/trajectory", params={"episode_id": episode_id}).json()["steps"]
    assert [s["tool"] for s in steps][-1] == "finish"


def test_the_last_step_carries_the_reward(client: httpx.Client) -> None:
    episode_id = client.post("/reset", json={"task_id": "sup-retention-answer"}).json()[
        "episode_id"
    ]
    last = client.post(
        "/step",
        json={
            "episode_id": episode_id,
            "action": {"tool": "finish", "arguments": {"summary": "no"}},
        },
    ).json()
    assert (last["done"], last["reward"], last["truncated"]) == (True, 0.0, False)


def test_listing_routes(client: httpx.Client) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    tasks = client.get("/tasks").json()
    assert len(tasks) >= 30 and {"id", "title", "category", "needs_fallback", "faults"} <= set(
        tasks[0]
    )
    episode_id = client.post(
        "/reset", json={"task_id": "eng-remove-secret", "faults": True}
    ).json()["episode_id"]
    tools = client.get("/tools", params={"episode_id": episode_id}).json()["tools"]
    write = next(t["function"] for t in tools if t["function"]["name"] == "code_write_file")
    assert "text" in write["parameters"]["properties"]  # drift shows in the listing


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("post", "/reset", {"task_id": "nope"}, 404, "not_found"),
        ("post", "/reset", {"seed": 1}, 400, "invalid_input"),
        ("post", "/reset", {"task_id": "sup-retention-answer", "seed": "1"}, 400, "invalid_input"),
        ("post", "/step", {"episode_id": "nope", "action": {"tool": "wait"}}, 404, "not_found"),
        ("post", "/step", {"episode_id": "x", "action": "wait"}, 400, "invalid_input"),
        ("post", "/nowhere", {}, 404, "not_found"),
        ("get", "/state?episode_id=nope", None, 404, "not_found"),
        ("get", "/nowhere", None, 404, "not_found"),
    ],
)
def test_bad_requests_get_json_errors(
    client: httpx.Client, method: str, path: str, body: Any, status: int, code: str
) -> None:
    response = client.post(path, json=body) if method == "post" else client.get(path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_non_json_bodies_and_finished_episodes_are_refused(client: httpx.Client) -> None:
    assert client.post("/reset", content=b"{oops").status_code == 400
    assert client.post("/reset", content=b"[1]").status_code == 400
    episode_id = client.post("/reset", json={"task_id": "sup-retention-answer"}).json()[
        "episode_id"
    ]
    client.post(
        "/step",
        json={
            "episode_id": episode_id,
            "action": {"tool": "finish", "arguments": {"summary": "x"}},
        },
    )
    again = client.post(
        "/step",
        json={"episode_id": episode_id, "action": {"tool": "wait", "arguments": {"seconds": 1}}},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_the_store_drops_the_oldest_episodes_past_its_capacity() -> None:
    from assay.envs import bundled_tasks
    from assay.envs.http_server import EpisodeStore
    from assay.errors import NotFound

    store = EpisodeStore(bundled_tasks(), capacity=2)
    first, _ = store.create("sup-retention-answer", 0, False)
    second, _ = store.create("sup-retention-answer", 0, False)
    store.create("sup-retention-answer", 0, True)
    store.get(second)
    with pytest.raises(NotFound):
        store.get(first)
