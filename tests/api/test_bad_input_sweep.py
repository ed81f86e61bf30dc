"""Bad input of every kind gets a 4xx JSON error, never a 500: generated sweep + known cases."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from assay.api.app import create_app
from assay.config import Settings
from tests.support.api import (
    Keys,
    headers,
    make_keys,
    sentiment_project,
    sentiment_tasks,
    settings_for,
)
from tests.support.databases import DatabaseTemplate

# Which key the generated sweep calls each route with, so it gets past the role checks.
KEY_BY_PATH = (
    (re.compile(r"^/v1/(work|me)\b"), "worker"),
    (re.compile(r"^/v1/reviews\b"), "reviewer"),
    (re.compile(r"^/v1/keys\b"), "admin"),
)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is ``status`` with Assay's error shape (and ``code`` when given)."""
    assert response.status_code == status, response.text
    content_type = response.headers["content-type"]  # schemathesis gives a list of values
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/json"), content_type
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error  # type: ignore[no-any-return]


@dataclass(frozen=True)
class World:
    """An app with data in two organisations, shared by the generated sweep."""

    app: FastAPI
    keys: Keys
    ids: dict[str, str]  # real ids of acme's objects, by path parameter name


def _seed(client: TestClient, keys: Keys) -> dict[str, str]:
    requester = headers(keys.requester)
    project = client.post("/v1/projects", json=sentiment_project(), headers=requester).json()
    imported = client.post(
        f"/v1/projects/{project['id']}/tasks", json={"tasks": sentiment_tasks(3)}, headers=requester
    ).json()
    answered = client.post("/v1/work/next", json={}, headers=headers(keys.workers[1])).json()
    submitted = client.post(
        f"/v1/work/{answered['id']}/submit",
        json={"answer": {"sentiment": "pos"}},
        headers=headers(keys.workers[1]),
    ).json()
    lease = client.post("/v1/work/next", json={}, headers=headers(keys.workers[0])).json()
    me = client.get("/v1/me", headers=headers(keys.workers[0])).json()
    return {
        "project_id": project["id"],
        "task_id": imported["task_ids"][1],
        "assignment_id": lease["id"],
        "response_id": submitted["response_id"],
        "worker_id": me["id"],
    }


@pytest.fixture(scope="module")
def world(
    _sqlite_template: DatabaseTemplate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    tmp_path: Path = tmp_path_factory.mktemp("sweep")
    app_settings = settings_for(_sqlite_template.fresh(tmp_path), tmp_path)
    keys = make_keys(app_settings)
    app = create_app(app_settings)
    with TestClient(app) as client:
        ids = _seed(client, keys)
        yield World(app, keys, ids)


def _loosen_tuples(node: Any) -> Any:
    # schemathesis 4.32 rejects tuple schemas (``prefixItems``, valid OpenAPI 3.1) when it checks
    # a response; an array of any of the members is the closest schema it reads.
    if isinstance(node, list):
        return [_loosen_tuples(item) for item in node]
    if not isinstance(node, dict):
        return node
    loosened = {key: _loosen_tuples(value) for key, value in node.items()}
    if "prefixItems" in loosened:
        loosened["items"] = {"anyOf": loosened.pop("prefixItems")}
    return loosened


def _openapi_document() -> dict[str, Any]:
    # The document does not depend on the database; the engine never connects.
    document: dict[str, Any] = create_app(Settings(database_url="sqlite://")).openapi()
    return _loosen_tuples(document)  # type: ignore[no-any-return]


SWEEP = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 15, "deterministic": True, "database": "none"},
        "phases": {
            # The coverage phase walks every schema boundary; its invalid inputs are the point
            # here (its valid ones only make more of the same objects).
            "coverage": {
                "generation": {"mode": "negative"},
                "unexpected-methods": ["delete", "put"],
            }
        },
        "operations": [
            {
                # Templates are a large union: walking all of it takes a thousand requests per
                # operation. Fuzzing covers them here, and the known-case tests below.
                "include-path-regex": "^/v1/(projects|qualifications)$",
                "include-method": "POST",
                "phases": {"coverage": {"enabled": False}},
            }
        ],
    }
)
schema = schemathesis.openapi.from_dict(_openapi_document(), config=SWEEP)


def _key_for(world: World, path: str) -> str:
    for pattern, role in KEY_BY_PATH:
        if pattern.match(path):
            return {
                "worker": world.keys.workers[0],
                "reviewer": world.keys.reviewer,
                "admin": world.keys.admin,
            }[role]
    return world.keys.requester


def _point_at_real_objects(case: Any, world: World) -> None:
    # Random ids only ever meet a 404; half the cases use real ids to reach deeper code.
    if not case.path_parameters or zlib.crc32(repr(case.body).encode()) % 2:
        return
    for name in case.path_parameters:
        if world.ids.get(name):
            case.path_parameters[name] = world.ids[name]


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_get_a_server_error(case: Any, world: World) -> None:
    _point_at_real_objects(case, world)
    response = case.call(app=world.app, headers=headers(_key_for(world, case.operation.path)))
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}\n"
        f"{case.as_curl_command()}\n{response.text[:2000]}"
    )
    if response.status_code >= 400:
        assert_error(response, response.status_code)
    else:
        case.validate_response(response, checks=[response_schema_conformance])


# Known bad input, by kind ---------------------------------------------------------------------


@pytest.fixture
def sqlite_client(
    _sqlite_template: DatabaseTemplate, tmp_path: Path
) -> Iterator[tuple[TestClient, Keys]]:
    app_settings = settings_for(_sqlite_template.fresh(tmp_path), tmp_path)
    keys = make_keys(app_settings)
    with TestClient(create_app(app_settings)) as client:
        yield client, keys


def _project(client: TestClient, keys: Keys, tasks: int = 2) -> tuple[str, list[str]]:
    project = client.post(
        "/v1/projects", json=sentiment_project(), headers=headers(keys.requester)
    ).json()
    imported = client.post(
        f"/v1/projects/{project['id']}/tasks",
        json={"tasks": sentiment_tasks(tasks)},
        headers=headers(keys.requester),
    ).json()
    return project["id"], imported["task_ids"]


def test_malformed_json_is_refused_naming_the_problem(
    sqlite_client: tuple[TestClient, Keys],
) -> None:
    client, keys = sqlite_client
    for body in (b'{"name": ', b"not json", b"\xff\xfe", b"[1, 2", b""):
        answer = client.post(
            "/v1/projects",
            content=body,
            headers={**headers(keys.requester), "Content-Type": "application/json"},
        )
        assert_error(answer, 422, "invalid_input")


def test_wrong_types_are_refused_field_by_field(sqlite_client: tuple[TestClient, Keys]) -> None:
    client, keys = sqlite_client
    auth = headers(keys.requester)
    project_id, task_ids = _project(client, keys)
    wrong = sentiment_project(redundancy="three", gold_rate=[0.1])
    error = assert_error(client.post("/v1/projects", json=wrong, headers=auth), 422)
    bad_fields = {tuple(item["loc"]) for item in error["details"]}
    assert ("body", "redundancy") in bad_fields and ("body", "gold_rate") in bad_fields
    cases = [
        ("POST", "/v1/projects", [1, 2]),
        ("POST", "/v1/projects", {"name": 7, "template": "a template"}),
        ("POST", f"/v1/projects/{project_id}/tasks", {"tasks": "t1"}),
        ("POST", f"/v1/projects/{project_id}/tasks", {"tasks": [{"unique_id": 1, "payload": 2}]}),
        ("POST", f"/v1/projects/{project_id}/tasks", {"tasks": []}),
        ("PATCH", f"/v1/projects/{project_id}", {"redundancy": -1}),
        ("PATCH", f"/v1/tasks/{task_ids[0]}", {"priority": "high"}),
        ("PATCH", f"/v1/tasks/{task_ids[0]}", {"priority": 10**30}),
        ("POST", f"/v1/projects/{project_id}/guidelines", {"principles": "be kind"}),
    ]
    for method, path, body in cases:
        assert_error(client.request(method, path, json=body, headers=auth), 422, "invalid_input")
    bad_query = client.get(f"/v1/projects/{project_id}/tasks?limit=zero", headers=auth)
    assert_error(bad_query, 422, "invalid_input")


def test_unknown_fields_are_refused_by_name(sqlite_client: tuple[TestClient, Keys]) -> None:
    client, keys = sqlite_client
    auth = headers(keys.requester)
    project_id, _ = _project(client, keys)
    error = assert_error(
        client.post("/v1/projects", json=sentiment_project(colour="red"), headers=auth), 422
    )
    assert "colour" in error["message"]
    task = {"unique_id": "x", "payload": {"review": "ok"}, "colour": "red"}
    tasks = client.post(f"/v1/projects/{project_id}/tasks", json={"tasks": [task]}, headers=auth)
    assert_error(tasks, 422, "invalid_input")
    worker = headers(keys.workers[0])
    lease = client.post("/v1/work/next", json={}, headers=worker).json()
    submit = client.post(
        f"/v1/work/{lease['id']}/submit",
        json={"answer": {"sentiment": "pos"}, "colour": "red"},
        headers=worker,
    )
    assert_error(submit, 422, "invalid_input")
    wrong_answer = client.post(
        f"/v1/work/{lease['id']}/submit", json={"answer": {"mood": "pos"}}, headers=worker
    )
    assert_error(wrong_answer, 422, "invalid_input")


def test_oversize_bodies_get_413(_sqlite_template: DatabaseTemplate, tmp_path: Path) -> None:
    small = Settings(
        database_url=_sqlite_template.fresh(tmp_path),
        data_dir=tmp_path / "data",
        max_request_bytes=2048,
    )
    keys = make_keys(small)
    auth = {**headers(keys.requester), "Content-Type": "application/json"}
    big = sentiment_project(description="x" * 4096)
    with TestClient(create_app(small)) as client:
        assert_error(client.post("/v1/projects", json=big, headers=auth), 413, "payload_too_large")

        def streamed() -> Iterator[bytes]:  # no Content-Length: the limit counts bytes read
            yield b'{"name": "S", "description": "'
            for _ in range(8):
                yield b"x" * 512
            yield b'"}'

        answer = client.post("/v1/projects", content=streamed(), headers=auth)
        assert_error(answer, 413, "payload_too_large")
        fits = client.post("/v1/projects", json=sentiment_project(), headers=auth)
        assert fits.status_code == 201


def test_unknown_ids_get_404(sqlite_client: tuple[TestClient, Keys]) -> None:
    client, keys = sqlite_client
    auth = headers(keys.requester)
    for method, path, body in [
        ("GET", "/v1/projects/prj_unknown", None),
        ("PATCH", "/v1/projects/prj_unknown", {"description": "x"}),
        ("GET", "/v1/projects/prj_unknown/tasks", None),
        ("POST", "/v1/projects/prj_unknown/tasks", {"tasks": sentiment_tasks(1)}),
        ("POST", "/v1/projects/prj_unknown/batches", {"name": "b"}),
        ("GET", "/v1/tasks/tsk_unknown", None),
        ("GET", "/v1/tasks/tsk_unknown/result", None),
        ("POST", "/v1/tasks/tsk_unknown/cancel", None),
        ("PATCH", "/v1/tasks/tsk_unknown", {"priority": 1}),
        ("GET", "/v1/nothing-here", None),
    ]:
        assert_error(client.request(method, path, json=body, headers=auth), 404)
    worker = headers(keys.workers[0])
    for action, body in [("submit", {"answer": {}}), ("heartbeat", {}), ("release", {})]:
        answer = client.post(f"/v1/work/asg_unknown/{action}", json=body, headers=worker)
        assert_error(answer, 404, "not_found")
    unknown_project = client.post("/v1/work/next", json={"project_id": "prj_x"}, headers=worker)
    assert_error(unknown_project, 404, "not_found")


def test_another_organisations_ids_look_unknown(sqlite_client: tuple[TestClient, Keys]) -> None:
    client, keys = sqlite_client
    project_id, task_ids = _project(client, keys)
    own_lease = client.post("/v1/work/next", json={}, headers=headers(keys.workers[0])).json()
    outsider = headers(keys.other_requester)
    for method, path, body in [
        ("GET", f"/v1/projects/{project_id}", None),
        ("PATCH", f"/v1/projects/{project_id}", {"name": "mine now"}),
        ("GET", f"/v1/projects/{project_id}/tasks", None),
        ("POST", f"/v1/projects/{project_id}/tasks", {"tasks": sentiment_tasks(1, "evil")}),
        ("GET", f"/v1/projects/{project_id}/guidelines", None),
        ("GET", f"/v1/tasks/{task_ids[0]}", None),
        ("GET", f"/v1/tasks/{task_ids[0]}/responses", None),
        ("POST", f"/v1/tasks/{task_ids[0]}/cancel", None),
        ("PATCH", f"/v1/tasks/{task_ids[0]}", {"priority": 5}),
    ]:
        answer = client.request(method, path, json=body, headers=outsider)
        assert_error(answer, 404, "not_found")
        assert "Sentiment" not in answer.text and "Review 0" not in answer.text
    assert client.get("/v1/projects", headers=outsider).json() == []
    other_worker = headers(keys.other_worker)
    assert_error(
        client.post("/v1/work/next", json={"project_id": project_id}, headers=other_worker), 404
    )
    assert_error(client.post("/v1/work/next", json={}, headers=other_worker), 404)
    stolen = client.post(
        f"/v1/work/{own_lease['id']}/submit",
        json={"answer": {"sentiment": "pos"}},
        headers=other_worker,
    )
    assert_error(stolen, 404, "not_found")
    mine = client.get(f"/v1/tasks/{task_ids[0]}", headers=headers(keys.requester)).json()
    assert mine["priority"] == 0 and mine["state"] == "open" and mine["responses"] == []


def test_keys_used_outside_their_role_get_403(sqlite_client: tuple[TestClient, Keys]) -> None:
    client, keys = sqlite_client
    project_id, task_ids = _project(client, keys)
    worker = headers(keys.workers[0])
    for method, path, body in [
        ("POST", "/v1/projects", sentiment_project()),
        ("PATCH", f"/v1/projects/{project_id}", {"redundancy": 1}),
        ("POST", f"/v1/projects/{project_id}/tasks", {"tasks": sentiment_tasks(1, "w")}),
        ("GET", f"/v1/projects/{project_id}/tasks", None),
        ("POST", f"/v1/projects/{project_id}/guidelines", {"goal": "mine"}),
        ("POST", f"/v1/projects/{project_id}/batches", {"name": "b"}),
        ("GET", f"/v1/tasks/{task_ids[0]}", None),
        ("GET", f"/v1/tasks/{task_ids[0]}/result", None),
        ("POST", f"/v1/tasks/{task_ids[0]}/cancel", None),
        ("PATCH", f"/v1/tasks/{task_ids[0]}", {"priority": 9}),
        ("GET", "/v1/keys", None),
    ]:
        answer = client.request(method, path, json=body, headers=worker)
        assert_error(answer, 403, "permission_denied")
    requester = headers(keys.requester)
    assert_error(client.post("/v1/work/next", json={}, headers=requester), 403)
    lease = client.post("/v1/work/next", json={}, headers=worker).json()
    for action, body in [("submit", {"answer": {"sentiment": "pos"}}), ("release", {})]:
        answer = client.post(f"/v1/work/{lease['id']}/{action}", json=body, headers=requester)
        assert_error(answer, 403, "permission_denied")
    assert_error(client.get("/v1/keys", headers=requester), 403, "permission_denied")


def _v1_operations(app: FastAPI) -> list[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/v1/")
        for method in operations
    ]


def test_every_v1_route_needs_a_valid_bearer_key(sqlite_client: tuple[TestClient, Keys]) -> None:
    client, keys = sqlite_client
    admin = headers(keys.admin)
    listed = client.get("/v1/keys", headers=admin).json()
    [reviewer_key] = [k for k in listed if keys.reviewer.startswith(k["prefix"])]
    assert client.post(f"/v1/keys/{reviewer_key['id']}/revoke", headers=admin).status_code == 200
    wrong = [
        {"Authorization": f"Bearer {keys.reviewer}"},
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Bearer assay_unknown"},
        {"Authorization": f"Basic {keys.requester}"},
    ]
    operations = _v1_operations(client.app)  # type: ignore[arg-type]
    assert len(operations) > 15
    for method, path in operations:
        concrete = re.sub(r"\{[^}]+\}", "x_1", path)
        for auth in wrong:
            assert_error(client.request(method, concrete, headers=auth), 401, "unauthenticated")


def test_openapi_documents_every_route(sqlite_client: tuple[TestClient, Keys]) -> None:
    client, _ = sqlite_client
    documented = client.get("/openapi.json").json()["paths"]
    app: FastAPI = client.app  # type: ignore[assignment]
    served = {
        (method.lower(), context.path)
        for context in routing.iter_route_contexts(app.routes)
        if context.path.startswith("/v1/") or context.path == "/healthz"
        for method in (context.methods or set()) - {"HEAD"}
    }
    in_schema = {(method, path) for path, ops in documented.items() for method in ops}
    assert served - in_schema == set()
    assert in_schema - served == set()
    assert client.get("/healthz").json() == {"status": "ok"}
