from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.config import Settings
from assay.llm import decrypt_secret
from assay.services.secret_key import load_secret_key
from assay.store import SessionFactory
from assay.store.models import AuditEvent
from assay.store.models.rlhf import ModelEndpoint
from tests.rlhf.conftest import FAKE_KEY
from tests.rlhf.flows import endpoint
from tests.support.api import Keys, headers
from tests.support.fake_openai import FakeOpenAI


def _stored(factory: SessionFactory, endpoint_id: str) -> ModelEndpoint:
    with factory() as session:
        row = session.get(ModelEndpoint, endpoint_id)
        assert row is not None
        return row


def test_the_key_is_encrypted_at_rest_and_never_returned(
    api: TestClient, keys: Keys, settings: Settings, factory: SessionFactory, fake: FakeOpenAI
) -> None:
    created = endpoint(api, keys.requester, "gpt", base_url=fake.base_url, api_key=FAKE_KEY)
    listed = api.get("/v1/models", headers=headers(keys.requester))
    fetched = api.get(f"/v1/models/{created['id']}", headers=headers(keys.requester))
    for text in (str(created), listed.text, fetched.text):
        assert FAKE_KEY not in text and "api_key" not in text.replace("has_api_key", "")
    assert created["has_api_key"] is True
    row = _stored(factory, created["id"])
    assert row.api_key_encrypted is not None and FAKE_KEY not in row.api_key_encrypted
    assert decrypt_secret(row.api_key_encrypted, load_secret_key(settings)) == FAKE_KEY
    assert (settings.data_dir / "secret.key").exists()  # made on first use
    with factory() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.object_id == created["id"]))
        assert all(FAKE_KEY not in str((e.before, e.after)) for e in audit)


def test_the_check_sends_the_decrypted_key_and_reports_the_answer(
    api: TestClient, keys: Keys, fake: FakeOpenAI
) -> None:
    good = endpoint(api, keys.requester, "good", base_url=fake.base_url, api_key=FAKE_KEY)
    bad = endpoint(api, keys.requester, "bad", base_url=fake.base_url, api_key="sk-wrong")
    ok = api.post(f"/v1/models/{good['id']}/check", headers=headers(keys.requester)).json()
    refused = api.post(f"/v1/models/{bad['id']}/check", headers=headers(keys.requester)).json()
    assert ok["ok"] is True and ok["reply"].startswith("[good]")
    assert fake.request_headers[0]["Authorization"] == f"Bearer {FAKE_KEY}"
    assert refused["ok"] is False and "401" in refused["error"]
    assert "sk-wrong" not in refused["error"]


def test_update_replaces_clears_renames_and_archives(
    api: TestClient, keys: Keys, factory: SessionFactory, fake: FakeOpenAI
) -> None:
    one = endpoint(api, keys.requester, "one", base_url=fake.base_url, api_key="sk-1")
    endpoint(api, keys.requester, "two")
    url = f"/v1/models/{one['id']}"
    before = _stored(factory, one["id"]).api_key_encrypted
    replaced = api.patch(
        url, json={"api_key": "sk-2", "timeout_seconds": 5}, headers=headers(keys.requester)
    )
    assert replaced.status_code == 200 and replaced.json()["timeout_seconds"] == 5
    assert _stored(factory, one["id"]).api_key_encrypted != before
    clash = api.patch(url, json={"name": "two"}, headers=headers(keys.requester))
    assert clash.status_code == 409
    cleared = api.patch(
        url, json={"clear_api_key": True, "status": "archived"}, headers=headers(keys.requester)
    )
    assert cleared.json()["has_api_key"] is False and cleared.json()["status"] == "archived"
    active = api.get("/v1/models", headers=headers(keys.requester)).json()
    assert [e["name"] for e in active] == ["two"]


def test_bad_settings_are_refused_with_the_field_named(api: TestClient, keys: Keys) -> None:
    cases = [
        ({"name": "x", "model": "m", "base_url": "ftp://host/v1"}, "base_url"),
        ({"name": "x", "model": "m"}, "base_url"),  # an openai endpoint needs one
        ({"name": "x", "model": "m", "kind": "demo", "params": {"temperature": 9}}, "temperature"),
        ({"name": "x", "model": "m", "kind": "demo", "params": {"model": "other"}}, "params"),
    ]
    for body, named in cases:
        answer = api.post("/v1/models", json=body, headers=headers(keys.requester))
        assert answer.status_code == 422, body
        assert named in answer.json()["error"]["message"]


def test_endpoints_are_private_to_requesters_of_their_organisation(
    api: TestClient, keys: Keys
) -> None:
    mine = endpoint(api, keys.requester, "mine")
    other = api.get(f"/v1/models/{mine['id']}", headers=headers(keys.other_requester))
    worker = api.get("/v1/models", headers=headers(keys.workers[0]))
    duplicate = api.post(
        "/v1/models",
        json={"name": "mine", "kind": "demo", "model": "x"},
        headers=headers(keys.requester),
    )
    assert other.status_code == 404 and worker.status_code == 403 and duplicate.status_code == 409
