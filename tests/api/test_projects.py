from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import Keys, headers, sentiment_project


def test_requester_creates_reads_and_updates_a_project(client: TestClient, keys: Keys) -> None:
    created = client.post(
        "/v1/projects",
        json=sentiment_project(
            required_locales=["es-AR", "pt-BR"],
            gold_rate=0.1,
            pay_per_task_cents=12,
            callback_url="https://example.org/hook",
            guidelines={"goal": "Label sentiment", "principles": ["Read it all"]},
        ),
        headers=headers(keys.requester),
    )
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["guideline_version"] == 1
    assert project["required_locales"] == ["es-AR", "pt-BR"]

    fetched = client.get(f"/v1/projects/{project['id']}", headers=headers(keys.requester)).json()
    assert fetched["task_counts"] == {}

    changed = client.patch(
        f"/v1/projects/{project['id']}", json={"redundancy": 5}, headers=headers(keys.requester)
    )
    assert changed.json()["redundancy"] == 5
    audit = client.get(
        "/v1/audit", params={"object_id": project["id"]}, headers=headers(keys.requester)
    ).json()
    assert [e["action"] for e in audit] == ["project.update", "project.create"]
    assert audit[0]["before"] == {"redundancy": 3} and audit[0]["after"] == {"redundancy": 5}


def test_invalid_template_is_refused_naming_the_field(client: TestClient, keys: Keys) -> None:
    body = sentiment_project()
    body["template"] = {
        "fields": [{"kind": "text", "name": "review"}],
        "questions": [{"type": "label", "name": "x", "prompt": "?", "options": [{"value": "a"}]}],
    }
    answer = client.post("/v1/projects", json=body, headers=headers(keys.requester))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert "options" in error["message"]


def test_guideline_versions_accumulate(client: TestClient, keys: Keys) -> None:
    project = client.post(
        "/v1/projects", json=sentiment_project(), headers=headers(keys.requester)
    ).json()
    published = client.post(
        f"/v1/projects/{project['id']}/guidelines",
        json={"goal": "v2 goal", "principles": ["new rule"]},
        headers=headers(keys.requester),
    )
    assert published.status_code == 201 and published.json()["version"] == 2
    versions = client.get(
        f"/v1/projects/{project['id']}/guidelines", headers=headers(keys.requester)
    ).json()
    assert [v["version"] for v in versions] == [2, 1]


def test_projects_are_scoped_to_the_organisation(client: TestClient, keys: Keys) -> None:
    project = client.post(
        "/v1/projects", json=sentiment_project(), headers=headers(keys.requester)
    ).json()
    other = client.get(f"/v1/projects/{project['id']}", headers=headers(keys.other_requester))
    assert other.status_code == 404
    assert client.get("/v1/projects", headers=headers(keys.other_requester)).json() == []


def test_workers_cannot_create_projects(client: TestClient, keys: Keys) -> None:
    answer = client.post("/v1/projects", json=sentiment_project(), headers=headers(keys.workers[0]))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"


def test_a_number_too_big_to_store_is_refused_and_nothing_is_kept(
    client: TestClient, keys: Keys
) -> None:
    body = sentiment_project(name="Huge numbers")
    body["guidelines"] = {
        "goal": "Label it.",
        "examples": [{"title": "x", "input": {}, "answer": {"n": -(2**63) - 1}}],
    }
    refused = client.post("/v1/projects", json=body, headers=headers(keys.requester))
    assert refused.status_code == 422, refused.text
    assert "as strings" in refused.json()["error"]["message"]
    listed = client.get("/v1/projects", headers=headers(keys.requester)).json()
    assert "Huge numbers" not in [p["name"] for p in listed]
