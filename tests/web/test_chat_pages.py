"""Live chat pages over HTTP: who may see and continue a conversation, CSRF, and bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.fake_openai import FakeOpenAI, FakeReply
from tests.web import seed
from tests.web.chat_seed import add_chat_project, add_endpoints
from tests.web.conftest import WebEnv, login

# Endpoint names and models the worker must never see.
MODELS = {"secret-endpoint-one": "model-one", "secret-endpoint-two": "model-two"}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _world(web_env: WebEnv, fake: FakeOpenAI) -> tuple[seed.Org, str]:
    org = seed.new_org(web_env.factory)
    seed.add_account(org, "ana")
    seed.add_account(org, "ben")
    ids = add_endpoints(org, web_env.settings, fake.base_url, MODELS)
    return org, add_chat_project(org, list(ids.values()))


def _start(client: TestClient, csrf: str, project_id: str) -> str:
    started = client.post(
        f"/chat/projects/{project_id}/start", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert started.status_code == 303, started.text
    location = str(started.headers["location"])
    assert re.fullmatch(r"/chat/cht_\w+", location)
    return location.rsplit("/", 1)[1]


def _post(client: TestClient, csrf: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json=body or {}, headers={"X-CSRF-Token": csrf})


def _page_state(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert match is not None
    state: dict[str, Any] = json.loads(match.group(1))["state"]
    return state


def _login_as(client: TestClient, org: seed.Org, handle: str) -> str:
    client.cookies.clear()
    return login(client, org.email(handle), seed.PASSWORD)


def _no_model_identity(text: str, fake: FakeOpenAI) -> None:
    for name in MODELS:
        assert name not in text
    assert fake.base_url not in text


def test_a_worker_talks_picks_rewrites_and_finishes(
    web_env: WebEnv, web_client: TestClient, fake: FakeOpenAI
) -> None:
    org, project_id = _world(web_env, fake)
    csrf = login(web_client, org.email("ana"), seed.PASSWORD)
    queue = web_client.get("/queue").text
    assert f'href="/chat/projects/{project_id}"' in queue
    home = web_client.get(f"/chat/projects/{project_id}")
    assert home.status_code == 200 and "No conversations yet" in home.text
    chat = _start(web_client, csrf, project_id)
    page = web_client.get(f"/chat/{chat}")
    assert page.status_code == 200 and _page_state(page.text)["path"] == []
    assert chat in web_client.get(f"/chat/projects/{project_id}").text

    sent = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "  Plan a day in Lisbon.  "})
    assert sent.status_code == 200, sent.text
    state = sent.json()["state"]
    assert state["waiting"]["content"] == "Plan a day in Lisbon."
    assert [c["label"] for c in state["candidates"]] == ["A", "B"]
    _no_model_identity(sent.text, fake)
    early = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "Hello?"})
    assert early.status_code == 409 and "Pick or rewrite" in early.json()["error"]["message"]

    second = state["candidates"][1]
    picked = _post(
        web_client,
        csrf,
        f"/chat/{chat}/choose",
        {"candidate_id": second["id"], "strength": 2, "reason": "Warmer"},
    ).json()["state"]
    assert [n["id"] for n in picked["path"]][1] == second["id"] and picked["waiting"] is None

    turn = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "And the evening?"})
    first = turn.json()["state"]["candidates"][0]
    rewritten = _post(
        web_client, csrf, f"/chat/{chat}/choose", {"candidate_id": first["id"], "rewrite": "Fado."}
    ).json()["state"]
    assert rewritten["path"][-1]["content"] == "Fado." and rewritten["path"][-1]["rewritten"]
    assert _page_state(web_client.get(f"/chat/{chat}").text)["path"] == rewritten["path"]

    done = _post(web_client, csrf, f"/chat/{chat}/finish").json()["state"]
    assert done["conversation"]["status"] == "finished"
    late = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "More?"})
    assert late.status_code == 409 and "finished" in late.json()["error"]["message"]


def test_bad_input_gets_a_clear_4xx(
    web_env: WebEnv, web_client: TestClient, fake: FakeOpenAI
) -> None:
    org, project_id = _world(web_env, fake)
    csrf = login(web_client, org.email("ana"), seed.PASSWORD)
    chat = _start(web_client, csrf, project_id)
    blank = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "   "})
    assert blank.status_code == 422 and "Write a message" in blank.json()["error"]["message"]
    huge = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "x" * 20_001})
    assert huge.status_code == 422 and "content" in huge.json()["error"]["message"]
    state = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "Hi"}).json()["state"]
    candidate = state["candidates"][0]["id"]
    for body, words in [
        ({"candidate_id": ""}, "candidate_id"),
        ({"candidate_id": candidate, "strength": 9}, "strength"),
        ({"candidate_id": candidate, "rewrite": "  "}, "rewrite is empty"),
        ({"candidate_id": "cnd_nope"}, "No candidate reply"),
        ({"candidate_id": state["waiting"]["id"]}, "No candidate reply"),  # a user turn
    ]:
        answer = _post(web_client, csrf, f"/chat/{chat}/choose", body)
        assert 400 <= answer.status_code < 500, answer.text
        assert words in answer.json()["error"]["message"]
    _post(web_client, csrf, f"/chat/{chat}/choose", {"candidate_id": candidate})
    again = _post(web_client, csrf, f"/chat/{chat}/choose", {"candidate_id": candidate})
    assert again.status_code == 409 and "already chosen" in again.json()["error"]["message"]
    standard = seed.add_project(org, "Labels", seed.SENTIMENT, [{"review": "Fine."}])
    wrong = web_client.get(f"/chat/projects/{standard}")
    assert wrong.status_code == 409 and "not a chat project" in wrong.text
    assert web_client.get("/chat/cht_missing").status_code == 404
    long_id = _post(web_client, csrf, f"/chat/projects/{'p' * 40}/start")
    assert long_id.status_code == 404 and "No project" in long_id.json()["error"]["message"]


def test_csrf_and_login_are_required(
    web_env: WebEnv, web_client: TestClient, fake: FakeOpenAI
) -> None:
    org, project_id = _world(web_env, fake)
    anonymous = web_client.get(f"/chat/projects/{project_id}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert web_client.post("/chat/cht_x/turns", json={"content": "Hi"}).status_code == 401
    csrf = login(web_client, org.email("ana"), seed.PASSWORD)
    refused = web_client.post(f"/chat/projects/{project_id}/start", follow_redirects=False)
    assert refused.status_code == 403 and "reload the page" in refused.text
    chat = _start(web_client, csrf, project_id)
    for url in (f"/chat/{chat}/turns", f"/chat/{chat}/finish"):
        forged = web_client.post(url, json={"content": "Hi"}, headers={"X-CSRF-Token": "forged"})
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
    assert fake.requests == []  # nothing reached a model
    assert _page_state(web_client.get(f"/chat/{chat}").text)["conversation"]["status"] == "open"


def test_a_conversation_is_its_workers_own_and_requesters_see_the_models(
    web_env: WebEnv, web_client: TestClient, fake: FakeOpenAI
) -> None:
    org, project_id = _world(web_env, fake)
    csrf = login(web_client, org.email("ana"), seed.PASSWORD)
    chat = _start(web_client, csrf, project_id)
    state = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "Hi"}).json()["state"]
    _post(web_client, csrf, f"/chat/{chat}/choose", {"candidate_id": state["candidates"][0]["id"]})
    assert web_client.get(f"/ops/chats/{chat}").status_code == 403  # workers: no model names

    other = _login_as(web_client, org, "ben")
    assert web_client.get(f"/chat/{chat}").status_code == 404
    assert chat not in web_client.get(f"/chat/projects/{project_id}").text
    for url, body in [
        (f"/chat/{chat}/turns", {"content": "Mine now"}),
        (f"/chat/{chat}/choose", {"candidate_id": state["candidates"][1]["id"]}),
        (f"/chat/{chat}/turns/{state['waiting']['id']}/candidates", {}),
        (f"/chat/{chat}/finish", {}),
    ]:
        assert _post(web_client, other, url, body).status_code == 404

    _login_as(web_client, org, "ops")
    redirected = web_client.get(f"/chat/{chat}", follow_redirects=False)
    assert redirected.headers["location"] == f"/ops/chats/{chat}"
    tree = web_client.get(f"/ops/chats/{chat}").text
    assert all(name in tree for name in MODELS) and "chosen" in tree
    listing = web_client.get(f"/ops/projects/{project_id}/chats").text
    assert f'href="/ops/chats/{chat}"' in listing and "ana" in listing

    stranger = seed.new_org(web_env.factory, prefix="globex")
    _login_as(web_client, stranger, "ops")
    assert web_client.get(f"/ops/chats/{chat}").status_code == 404


def test_a_failed_model_keeps_the_turn_and_try_again_asks_anew(
    web_env: WebEnv, web_client: TestClient, fake: FakeOpenAI
) -> None:
    org, project_id = _world(web_env, fake)
    csrf = login(web_client, org.email("ana"), seed.PASSWORD)
    chat = _start(web_client, csrf, project_id)
    fake.enqueue(FakeReply(status=503))
    failed = _post(web_client, csrf, f"/chat/{chat}/turns", {"content": "Hello?"})
    assert failed.status_code == 502
    message = failed.json()["error"]["message"]
    assert "did not answer" in message and "Try again" in message and "503" in message
    _no_model_identity(failed.text, fake)
    state = failed.json()["state"]
    assert state["waiting"]["content"] == "Hello?" and state["candidates"] == []
    retry = f"/chat/{chat}/turns/{state['waiting']['id']}/candidates"
    again = _post(web_client, csrf, retry)
    assert again.status_code == 200 and len(again.json()["state"]["candidates"]) == 2
    assert _post(web_client, csrf, retry).status_code == 409
