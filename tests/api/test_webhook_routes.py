from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.api.routes import webhooks as webhook_routes
from assay.config import Settings
from assay.services import webhooks
from assay.store import SessionFactory, make_engine, make_session_factory
from assay.store.models import Organisation, Project
from tests.support.api import Keys, headers
from tests.support.factories import make_completed_task, make_project, make_worker
from tests.support.routers import app_with
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver


@pytest.fixture
def hook_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app_with(settings, webhook_routes.router)) as client:
        yield client


@pytest.fixture
def factory(settings: Settings) -> Iterator[SessionFactory]:
    engine = make_engine(settings.resolved_database_url())
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as running:
        yield running


def hooked_project(factory: SessionFactory, url: str, tasks: int) -> str:
    with factory() as session:
        acme = session.scalars(select(Organisation).where(Organisation.name == "acme")).one()
        worker = make_worker(session, acme)
        project = make_project(session, acme, callback_url=url)
        for _ in range(tasks):
            task = make_completed_task(session, project, [worker])
            webhooks.enqueue_result_delivery(session, project, task.id)
        session.commit()
        return project.id


def test_list_and_retry_deliveries(
    hook_client: TestClient, keys: Keys, factory: SessionFactory, receiver: WebhookReceiver
) -> None:
    project_id = hooked_project(factory, receiver.url, tasks=2)
    receiver.fail_next(1, status=502)
    with httpx.Client(timeout=5) as http:
        webhooks.dispatch_due(factory, http, max_attempts=1)
    listed = hook_client.get(
        f"/v1/projects/{project_id}/deliveries", headers=headers(keys.requester)
    )
    assert listed.status_code == 200
    rows = listed.json()
    assert sorted(r["status"] for r in rows) == ["dead", "delivered"]
    dead = next(r for r in rows if r["status"] == "dead")
    assert dead["attempts"] == 1 and dead["last_status_code"] == 502
    assert dead["last_error"].startswith("HTTP 502")
    only_dead = hook_client.get(
        f"/v1/projects/{project_id}/deliveries",
        params={"status": "dead"},
        headers=headers(keys.requester),
    ).json()
    assert [r["id"] for r in only_dead] == [dead["id"]]

    retried = hook_client.post(f"/v1/deliveries/{dead['id']}/retry", headers=headers(keys.admin))
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    with httpx.Client(timeout=5) as http:
        assert webhooks.dispatch_due(factory, http).delivered == 1
    again = hook_client.post(f"/v1/deliveries/{dead['id']}/retry", headers=headers(keys.admin))
    assert again.status_code == 409


def test_delivery_routes_are_scoped_and_need_a_requester(
    hook_client: TestClient, keys: Keys, factory: SessionFactory
) -> None:
    project_id = hooked_project(factory, "http://127.0.0.1:9/hook", tasks=1)
    path = f"/v1/projects/{project_id}/deliveries"
    [row] = hook_client.get(path, headers=headers(keys.requester)).json()
    assert hook_client.get(path, headers=headers(keys.other_requester)).status_code == 404
    assert hook_client.get(path, headers=headers(keys.workers[0])).status_code == 403
    retry = f"/v1/deliveries/{row['id']}/retry"
    assert hook_client.post(retry, headers=headers(keys.other_requester)).status_code == 404
    assert hook_client.post(retry, headers=headers(keys.workers[0])).status_code == 403
    bad = hook_client.get(path, params={"status": "lost"}, headers=headers(keys.requester))
    assert bad.status_code == 422


def test_rotated_secret_signs_pending_deliveries(
    hook_client: TestClient, keys: Keys, factory: SessionFactory, receiver: WebhookReceiver
) -> None:
    project_id = hooked_project(factory, receiver.url, tasks=1)
    with factory() as session:
        old = session.scalars(select(Project.webhook_secret).where(Project.id == project_id)).one()
    path = f"/v1/projects/{project_id}/webhook-secret/rotate"
    assert hook_client.post(path, headers=headers(keys.workers[0])).status_code == 403
    assert hook_client.post(path, headers=headers(keys.other_requester)).status_code == 404
    rotated = hook_client.post(path, headers=headers(keys.requester))
    assert rotated.status_code == 200
    new = rotated.json()["webhook_secret"]
    assert len(new) == 64 and new != old
    with httpx.Client(timeout=5) as http:
        webhooks.dispatch_due(factory, http)
    [request] = receiver.requests
    signature = request.headers["x-assay-signature"]
    assert webhooks.verify_signature(new, signature, request.body)
    assert not webhooks.verify_signature(old, signature, request.body)
