from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.rlhf.conftest import FAKE_KEY
from tests.rlhf.flows import ScriptedReplies, endpoint
from tests.support.api import Keys, headers
from tests.support.fake_openai import FakeOpenAI, FakeReply


def _chat(api: TestClient, keys: Keys, fake: FakeOpenAI, **extra: Any) -> tuple[str, str]:
    ids = [
        endpoint(
            api, keys.requester, name, base_url=fake.base_url, api_key=FAKE_KEY, max_retries=0
        )["id"]
        for name in ("alpha", "beta")
    ]
    body = {"name": "Chats", "endpoint_ids": ids, "system_prompt": "You are kind.", **extra}
    project = api.post("/v1/chat-projects", json=body, headers=headers(keys.requester))
    assert project.status_code == 201, project.text
    started = api.post(
        "/v1/chats", json={"project_id": project.json()["id"]}, headers=headers(keys.workers[0])
    )
    assert started.status_code == 201, started.text
    return project.json()["id"], started.json()["id"]


def _say(api: TestClient, key: str, chat_id: str, text: str, **extra: Any) -> Any:
    return api.post(
        f"/v1/chats/{chat_id}/turns", json={"content": text, **extra}, headers=headers(key)
    )


def _choose(api: TestClient, key: str, chat_id: str, **choice: Any) -> dict[str, Any]:
    answer = api.post(f"/v1/chats/{chat_id}/choose", json=choice, headers=headers(key))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_pick_rewrite_and_continue_from_the_chosen_reply(
    api: TestClient, keys: Keys, fake: FakeOpenAI
) -> None:
    _project, chat = _chat(api, keys, fake)
    worker = keys.workers[0]
    first = _say(api, worker, chat, "Plan a day in Lisbon.").json()
    candidates = first["candidates"]
    assert [c["position"] for c in candidates] == [0, 1]
    assert all(c["endpoint_id"] is None and c["author"] == "model" for c in candidates)
    assert _say(api, worker, chat, "Too soon").status_code == 409  # pick a reply first
    picked = _choose(
        api, worker, chat, candidate_id=candidates[1]["id"], strength=2, reason="Warmer"
    )
    assert picked["chosen"] and picked["id"] == candidates[1]["id"]

    second = _say(api, worker, chat, "And the evening?").json()
    assert second["turn"]["parent_id"] == picked["id"]
    sent = fake.requests[-1]["messages"]
    assert sent[0] == {"role": "system", "content": "You are kind."}
    assert sent[2] == {"role": "assistant", "content": candidates[1]["content"]}
    rewrite = _choose(
        api, worker, chat, candidate_id=second["candidates"][0]["id"], rewrite="Dinner in Alfama."
    )
    assert rewrite["rewritten"] and rewrite["author"] == "worker"
    assert rewrite["rewrite_of"] == second["candidates"][0]["id"]

    third = _say(api, worker, chat, "Thanks!").json()
    assert third["turn"]["parent_id"] == rewrite["id"]
    assert fake.requests[-1]["messages"][-2] == {
        "role": "assistant",
        "content": "Dinner in Alfama.",
    }
    branch = _say(api, worker, chat, "Actually, plan Porto.", parent_id=picked["id"])
    assert branch.status_code == 409  # the third turn still waits for a pick
    _choose(api, worker, chat, candidate_id=third["candidates"][0]["id"])
    branch = _say(api, worker, chat, "Actually, plan Porto instead.", parent_id=picked["id"]).json()
    assert branch["turn"]["parent_id"] == picked["id"]

    as_worker = api.get(f"/v1/chats/{chat}", headers=headers(worker)).json()
    as_requester = api.get(f"/v1/chats/{chat}", headers=headers(keys.requester)).json()
    assert len(as_worker["nodes"]) == 4 * 3 + 1  # four turns, eight candidates, one rewrite
    assert not any(n["endpoint_id"] for n in as_worker["nodes"])
    models = {n["endpoint_id"] for n in as_requester["nodes"] if n["author"] == "model"}
    assert len(models) == 2
    assert api.get(f"/v1/chats/{chat}", headers=headers(keys.workers[1])).status_code == 404


def test_a_failed_model_keeps_the_turn_to_ask_again(
    api: TestClient, keys: Keys, fake: FakeOpenAI, script: ScriptedReplies
) -> None:
    _project, chat = _chat(api, keys, fake)
    worker = keys.workers[0]
    script.always["alpha"] = FakeReply(status=500)
    failed = _say(api, worker, chat, "Hello?")
    assert failed.status_code == 502 and failed.json()["error"]["code"] == "upstream_error"
    error = failed.json()["error"]
    assert error["details"] == {"status": 500}
    for secret in ("alpha", fake.base_url, "127.0.0.1"):  # workers never learn the model
        assert secret not in error["message"]
    (turn,) = api.get(f"/v1/chats/{chat}", headers=headers(worker)).json()["nodes"]
    del script.always["alpha"]
    again = api.post(f"/v1/chats/{chat}/turns/{turn['id']}/candidates", headers=headers(worker))
    assert again.status_code == 200 and len(again.json()["candidates"]) == 2
    twice = api.post(f"/v1/chats/{chat}/turns/{turn['id']}/candidates", headers=headers(worker))
    assert twice.status_code == 409


def test_finished_conversations_take_no_turns_and_are_listed(
    api: TestClient, keys: Keys, fake: FakeOpenAI
) -> None:
    project_id, chat = _chat(api, keys, fake)
    closed = api.post(f"/v1/chats/{chat}/finish", headers=headers(keys.workers[0]))
    assert closed.json()["status"] == "finished"
    assert _say(api, keys.workers[0], chat, "More?").status_code == 409
    mine = api.get(f"/v1/chats?project_id={project_id}", headers=headers(keys.workers[0])).json()
    theirs = api.get(f"/v1/chats?project_id={project_id}", headers=headers(keys.workers[1])).json()
    every = api.get(f"/v1/chats?project_id={project_id}", headers=headers(keys.requester)).json()
    assert [c["id"] for c in mine] == [chat] and theirs == [] and len(every) == 1
