from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import Keys, headers, sentiment_project, sentiment_tasks


def _setup(client: TestClient, keys: Keys, tasks: int, **overrides: object) -> str:
    project = client.post(
        "/v1/projects", json=sentiment_project(**overrides), headers=headers(keys.requester)
    ).json()
    client.post(
        f"/v1/projects/{project['id']}/tasks",
        json={"tasks": sentiment_tasks(tasks)},
        headers=headers(keys.requester),
    )
    return str(project["id"])


def _next(client: TestClient, key: str) -> dict[str, object] | None:
    answer = client.post("/v1/work/next", json={}, headers=headers(key))
    if answer.status_code == 404:
        assert answer.json()["error"]["code"] == "no_task_available"
        return None
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_three_workers_complete_a_task_and_a_result_appears(client: TestClient, keys: Keys) -> None:
    _setup(client, keys, tasks=1, redundancy=3)
    votes = ["pos", "pos", "neg"]
    task_id = None
    for key, vote in zip(keys.workers[:3], votes, strict=True):
        lease = _next(client, key)
        assert lease is not None
        task_id = lease["task"]["id"]  # type: ignore[index]
        assert "gold_answer" not in lease["task"]  # type: ignore[operator]
        submitted = client.post(
            f"/v1/work/{lease['id']}/submit",
            json={"answer": {"sentiment": vote}, "active_time_ms": 4200},
            headers=headers(key),
        )
        assert submitted.status_code == 201, submitted.text
    assert _next(client, keys.workers[3]) is None
    detail = client.get(f"/v1/tasks/{task_id}", headers=headers(keys.requester)).json()
    assert detail["state"] == "complete"
    assert detail["result"]["answer"] == {"sentiment": "pos"}
    assert abs(detail["result"]["confidence"] - 2 / 3) < 1e-9
    assert detail["result"]["method"] == "majority_vote"
    assert {r["guideline_version"] for r in detail["responses"]} == {1}
    assert {r["active_time_ms"] for r in detail["responses"]} == {4200}


def test_never_twice_to_the_same_worker_and_never_beyond_redundancy(
    client: TestClient, keys: Keys
) -> None:
    _setup(client, keys, tasks=2, redundancy=2)
    seen: list[str] = []
    for _ in range(2):
        lease = _next(client, keys.workers[0])
        assert lease is not None
        seen.append(lease["task"]["id"])  # type: ignore[index]
    assert len(set(seen)) == 2
    assert _next(client, keys.workers[0]) is None  # holds both, may not get either again
    assert _next(client, keys.workers[1]) is not None
    assert _next(client, keys.workers[1]) is not None
    assert _next(client, keys.workers[2]) is None  # both tasks fully leased


def test_retried_submit_is_harmless(client: TestClient, keys: Keys) -> None:
    _setup(client, keys, tasks=1, redundancy=1)
    lease = _next(client, keys.workers[0])
    assert lease is not None
    url = f"/v1/work/{lease['id']}/submit"
    body = {"answer": {"sentiment": "neu"}}
    first = client.post(url, json=body, headers=headers(keys.workers[0]))
    second = client.post(url, json=body, headers=headers(keys.workers[0]))
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["response_id"] == second.json()["response_id"]
    assert second.json()["replayed"] is True
    different = client.post(
        url, json={"answer": {"sentiment": "pos"}}, headers=headers(keys.workers[0])
    )
    assert different.status_code == 409


def test_invalid_answer_is_refused_and_the_lease_stays(client: TestClient, keys: Keys) -> None:
    _setup(client, keys, tasks=1, redundancy=1)
    lease = _next(client, keys.workers[0])
    assert lease is not None
    url = f"/v1/work/{lease['id']}/submit"
    bad = client.post(url, json={"answer": {"sentiment": "meh"}}, headers=headers(keys.workers[0]))
    assert bad.status_code == 422
    assert "sentiment" in bad.json()["error"]["message"]
    good = client.post(url, json={"answer": {"sentiment": "neg"}}, headers=headers(keys.workers[0]))
    assert good.status_code == 201


def test_workers_cannot_touch_each_others_assignments(client: TestClient, keys: Keys) -> None:
    _setup(client, keys, tasks=1, redundancy=2)
    lease = _next(client, keys.workers[0])
    assert lease is not None
    for key in (keys.workers[1], keys.other_worker):
        answer = client.post(
            f"/v1/work/{lease['id']}/submit",
            json={"answer": {"sentiment": "neg"}},
            headers=headers(key),
        )
        assert answer.status_code == 404
    assert _next(client, keys.other_worker) is None


def test_release_returns_the_slot_and_heartbeat_extends(client: TestClient, keys: Keys) -> None:
    _setup(client, keys, tasks=1, redundancy=1)
    lease = _next(client, keys.workers[0])
    assert lease is not None
    beat = client.post(
        f"/v1/work/{lease['id']}/heartbeat",
        json={"draft": {"sentiment": "pos"}},
        headers=headers(keys.workers[0]),
    )
    assert beat.status_code == 200 and beat.json()["expires_at"] >= lease["expires_at"]
    assert _next(client, keys.workers[1]) is None
    released = client.post(
        f"/v1/work/{lease['id']}/release",
        json={"reason": "unclear"},
        headers=headers(keys.workers[0]),
    )
    assert released.json()["status"] == "released"
    assert _next(client, keys.workers[1]) is not None


def test_requester_key_cannot_work(client: TestClient, keys: Keys) -> None:
    _setup(client, keys, tasks=1)
    answer = client.post("/v1/work/next", json={}, headers=headers(keys.requester))
    assert answer.status_code == 403
