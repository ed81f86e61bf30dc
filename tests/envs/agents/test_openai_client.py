from __future__ import annotations

from collections.abc import Iterator

import pytest

from assay.envs import ChatClient
from assay.errors import UpstreamError
from tests.support import FakeOpenAI, FakeReply

MESSAGES = [{"role": "user", "content": "hello"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "wait",
            "description": "w",
            "parameters": {"type": "object", "properties": {}},
        },
    }
]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key="sk-test") as server:
        yield server


def _client(fake: FakeOpenAI, pauses: list[float], **options: float) -> ChatClient:
    return ChatClient(fake.base_url, model="m", api_key="sk-test", sleep=pauses.append, **options)  # type: ignore[arg-type]


def test_a_completion_returns_the_assistant_message_and_sends_the_tools(fake: FakeOpenAI) -> None:
    fake.enqueue(FakeReply(tool_calls=[{"name": "wait", "arguments": {"seconds": 5}}]))
    with _client(fake, []) as client:
        message = client.complete(MESSAGES, TOOLS, temperature=0.0)
    assert message["tool_calls"][0]["function"] == {"name": "wait", "arguments": '{"seconds": 5}'}
    body = fake.requests[0]
    assert (
        body["model"],
        body["messages"],
        body["tools"],
        body["tool_choice"],
        body["temperature"],
    ) == ("m", MESSAGES, TOOLS, "auto", 0.0)


def test_429_and_5xx_are_retried_with_backoff_or_retry_after(fake: FakeOpenAI) -> None:
    fake.enqueue(
        FakeReply(status=429, retry_after=2),
        FakeReply(status=503),
        FakeReply(status=500),
        FakeReply(content="ok"),
    )
    pauses: list[float] = []
    with _client(fake, pauses, backoff=0.25) as client:
        assert client.complete(MESSAGES)["content"] == "ok"
    assert pauses == [2.0, 0.5, 1.0] and len(fake.requests) == 4


def test_timeouts_are_retried(fake: FakeOpenAI) -> None:
    fake.enqueue(FakeReply(content="slow", delay=1.0), FakeReply(content="fast"))
    pauses: list[float] = []
    with _client(fake, pauses, timeout=0.2) as client:
        assert client.complete(MESSAGES)["content"] == "fast"
    assert len(pauses) == 1


def test_it_gives_up_after_the_last_retry(fake: FakeOpenAI) -> None:
    fake.enqueue(*[FakeReply(status=502)] * 3)
    with _client(fake, [], max_retries=2) as client, pytest.raises(UpstreamError) as raised:
        client.complete(MESSAGES)
    assert "502" in raised.value.message and len(fake.requests) == 3


def test_client_errors_are_not_retried(fake: FakeOpenAI) -> None:
    fake.enqueue(FakeReply(status=400))
    with _client(fake, []) as client, pytest.raises(UpstreamError) as raised:
        client.complete(MESSAGES)
    assert (
        raised.value.details["error"]["type"] == "invalid_request_error" and len(fake.requests) == 1
    )


def test_a_wrong_key_is_an_upstream_error(fake: FakeOpenAI) -> None:
    with (
        ChatClient(fake.base_url, model="m", api_key="wrong", sleep=lambda s: None) as client,
        pytest.raises(UpstreamError),
    ):
        client.complete(MESSAGES)


def test_malformed_completions_are_upstream_errors(fake: FakeOpenAI) -> None:
    fake.enqueue(
        FakeReply(body={"choices": []}), FakeReply(body={"choices": [{"message": "text"}]})
    )
    with _client(fake, []) as client:
        for _ in range(2):
            with pytest.raises(UpstreamError, match="malformed"):
                client.complete(MESSAGES)


def test_an_unreachable_endpoint_is_retried_then_reported() -> None:
    pauses: list[float] = []
    with FakeOpenAI() as gone:
        url = gone.base_url
    client = ChatClient(url, model="m", sleep=pauses.append, max_retries=1, timeout=1.0)
    with pytest.raises(UpstreamError, match="unreachable"):
        client.complete(MESSAGES)
    assert pauses == [0.5]
    client.close()
