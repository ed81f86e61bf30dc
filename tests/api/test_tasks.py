from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import Keys, headers, sentiment_project, sentiment_tasks


def _project(client: TestClient, keys: Keys, **overrides: object) -> str:
    answer = client.post(
        "/v1/projects", json=sentiment_project(**overrides), headers=headers(keys.requester)
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_bulk_import_is_idempotent_by_unique_id(client: TestClient, keys: Keys) -> None:
    project_id = _project(client, keys)
    url = f"/v1/projects/{project_id}/tasks"
    first = client.post(url, json={"tasks": sentiment_tasks(10)}, headers=headers(keys.requester))
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 10
    again = client.post(
        url,
        json={"tasks": sentiment_tasks(12) + sentiment_tasks(1)},
        headers=headers(keys.requester),
    ).json()
    assert again["created"] == 2 and again["existing"] == 11
    assert again["task_ids"][:10] == first.json()["task_ids"]
    assert again["task_ids"][12] == again["task_ids"][0]
    listed = client.get(url, params={"limit": 1000}, headers=headers(keys.requester)).json()
    assert len(listed) == 12


def test_one_bad_item_refuses_the_whole_request(client: TestClient, keys: Keys) -> None:
    project_id = _project(client, keys)
    tasks = sentiment_tasks(5)
    tasks[3] = {"unique_id": "bad", "payload": {"wrong_key": "x"}}
    tasks[4] = {"unique_id": "bad2", "payload": {"review": 12}}
    answer = client.post(
        f"/v1/projects/{project_id}/tasks", json={"tasks": tasks}, headers=headers(keys.requester)
    )
    assert answer.status_code == 422
    problems = answer.json()["error"]["details"]["problems"]
    assert [p["index"] for p in problems] == [3, 4]
    assert "review" in problems[0]["reason"]
    listed = client.get(f"/v1/projects/{project_id}/tasks", headers=headers(keys.requester))
    assert listed.json() == []


def test_ten_thousand_tasks_in_one_request(client: TestClient, keys: Keys) -> None:
    project_id = _project(client, keys)
    answer = client.post(
        f"/v1/projects/{project_id}/tasks",
        json={"tasks": sentiment_tasks(10_000), "batch_name": "big"},
        headers=headers(keys.requester),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 10_000
    project = client.get(f"/v1/projects/{project_id}", headers=headers(keys.requester)).json()
    assert project["task_counts"] == {"open": 10_000}


def test_cancel_and_priority(client: TestClient, keys: Keys) -> None:
    project_id = _project(client, keys)
    report = client.post(
        f"/v1/projects/{project_id}/tasks",
        json={"tasks": sentiment_tasks(2)},
        headers=headers(keys.requester),
    ).json()
    first, second = report["task_ids"]
    raised = client.patch(
        f"/v1/tasks/{second}", json={"priority": 5}, headers=headers(keys.requester)
    )
    assert raised.json()["priority"] == 5
    cancelled = client.post(f"/v1/tasks/{first}/cancel", headers=headers(keys.requester))
    assert cancelled.json()["state"] == "cancelled"
    again = client.post(f"/v1/tasks/{first}/cancel", headers=headers(keys.requester))
    assert again.status_code == 409
    leased = client.post("/v1/work/next", json={}, headers=headers(keys.workers[0])).json()
    assert leased["task"]["id"] == second


def test_other_organisations_task_is_not_found(client: TestClient, keys: Keys) -> None:
    project_id = _project(client, keys)
    task_id = client.post(
        f"/v1/projects/{project_id}/tasks",
        json={"tasks": sentiment_tasks(1)},
        headers=headers(keys.requester),
    ).json()["task_ids"][0]
    assert (
        client.get(f"/v1/tasks/{task_id}", headers=headers(keys.other_requester)).status_code == 404
    )
    answer = client.post(
        f"/v1/projects/{project_id}/tasks",
        json={"tasks": sentiment_tasks(1)},
        headers=headers(keys.other_requester),
    )
    assert answer.status_code == 404
