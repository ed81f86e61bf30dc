"""The fake OpenAI server speaks the protocol our clients (and other teams' tests) rely on."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from tests.support.fake_openai import FakeOpenAI, FakeReply


def _chat(client: httpx.Client, base_url: str, text: str, model: str = "m1") -> httpx.Response:
    return client.post(
        f"{base_url}/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": text}]},
    )


def test_default_reply_is_deterministic_and_depends_on_model() -> None:
    with FakeOpenAI() as fake, httpx.Client() as client:
        first = _chat(client, fake.base_url, "What is 2+2?").json()
        again = _chat(client, fake.base_url, "What is 2+2?").json()
        other = _chat(client, fake.base_url, "What is 2+2?", model="m2").json()
    text = first["choices"][0]["message"]["content"]
    assert text == again["choices"][0]["message"]["content"]
    assert text != other["choices"][0]["message"]["content"]
    assert "What is 2+2?" in text
    assert first["id"].startswith("chatcmpl-") and first["id"] != again["id"]
    assert first["model"] == "m1" and first["object"] == "chat.completion"
    assert first["choices"][0]["finish_reason"] == "stop"
    usage = first["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


def test_queued_replies_tool_calls_and_recorded_requests() -> None:
    call = {"name": "search", "arguments": {"q": "cats"}}
    with FakeOpenAI() as fake, httpx.Client() as client:
        fake.enqueue(FakeReply(content="one"), FakeReply(tool_calls=[call]))
        assert fake.pending == 2
        one = _chat(client, fake.base_url, "a").json()
        two = _chat(client, fake.base_url, "b").json()
        assert [r["messages"][0]["content"] for r in fake.requests] == ["a", "b"]
    assert one["choices"][0]["message"]["content"] == "one"
    message = two["choices"][0]["message"]
    assert message["content"] is None
    assert two["choices"][0]["finish_reason"] == "tool_calls"
    (tool_call,) = message["tool_calls"]
    assert tool_call["type"] == "function" and tool_call["id"].startswith("call_")
    assert tool_call["function"]["name"] == "search"
    assert json.loads(tool_call["function"]["arguments"]) == {"q": "cats"}


def test_error_statuses_answer_openai_error_json() -> None:
    with FakeOpenAI() as fake, httpx.Client() as client:
        fake.enqueue(FakeReply(status=429, retry_after=2), FakeReply(status=500))
        limited = _chat(client, fake.base_url, "x")
        broken = _chat(client, fake.base_url, "x")
        bad = client.post(f"{fake.base_url}/chat/completions", content=b"{not json")
        missing = client.post(f"{fake.base_url}/chat/completions", json={"messages": []})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert broken.status_code == 500 and broken.json()["error"]["type"] == "server_error"
    assert bad.status_code == 400 and missing.status_code == 400
    assert "message" in missing.json()["error"]


def test_body_override_and_set_default() -> None:
    with FakeOpenAI() as fake, httpx.Client() as client:
        fake.enqueue(FakeReply(body={"custom": True}))
        fake.set_default(lambda body: FakeReply(content=body["model"].upper()))
        custom = _chat(client, fake.base_url, "x").json()
        shouted = _chat(client, fake.base_url, "x", model="abc").json()
    assert custom == {"custom": True}
    assert shouted["choices"][0]["message"]["content"] == "ABC"


def test_delay_provokes_client_timeout() -> None:
    with FakeOpenAI() as fake, httpx.Client(timeout=0.1) as client:
        fake.enqueue(FakeReply(content="late", delay=1.0))
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            _chat(client, fake.base_url, "x")
        assert time.monotonic() - started < 0.8  # gave up long before the answer
        # The server keeps serving after a client gave up.
        assert _chat(client, fake.base_url, "y").status_code == 200


def test_models_listing_and_api_key_check() -> None:
    with FakeOpenAI(api_key="sk-test") as fake, httpx.Client() as client:
        denied = _chat(client, fake.base_url, "x")
        allowed = client.post(
            f"{fake.base_url}/chat/completions",
            headers={"Authorization": "Bearer sk-test"},
            json={"model": "seen-model", "messages": [{"role": "user", "content": "x"}]},
        )
        models = client.get(f"{fake.base_url}/models").json()
    assert denied.status_code == 401 and allowed.status_code == 200
    assert models["object"] == "list"
    assert {m["id"] for m in models["data"]} == {"fake-model", "m1", "seen-model"}


def test_concurrent_requests_are_all_recorded() -> None:
    with FakeOpenAI() as fake:

        def worker(i: int) -> None:
            with httpx.Client() as client:
                assert _chat(client, fake.base_url, f"q{i}").status_code == 200

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(r["messages"][0]["content"] for r in fake.requests) == sorted(
            f"q{i}" for i in range(8)
        )


def test_stopped_server_refuses_even_kept_alive_connections() -> None:
    with httpx.Client() as client:
        with FakeOpenAI() as fake:
            assert _chat(client, fake.base_url, "x").status_code == 200
        with pytest.raises(httpx.TransportError):
            _chat(client, fake.base_url, "x")
