"""The OpenAI-compatible adapter, over real HTTP against the fake server."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator

import pytest

from assay.errors import InvalidInput, UpstreamError
from assay.llm import (
    AsyncOpenAICompatibleModel,
    Backoff,
    ChatModel,
    OpenAICompatibleModel,
    RateLimiter,
)
from tests.llm.conftest import FakeClock
from tests.support.fake_openai import FakeOpenAI, FakeReply

HELLO = [{"role": "user", "content": "Say hello"}]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def make_model(fake: FakeOpenAI, clock: FakeClock, **kwargs: object) -> OpenAICompatibleModel:
    options: dict[str, object] = {
        "backoff": Backoff(base=0.5, jitter=0.0),
        "sleep": clock.sleep,
        "max_retries": 2,
        "timeout": 5.0,
    }
    options.update(kwargs)
    return OpenAICompatibleModel(fake.base_url, "gpt-test", **options)  # type: ignore[arg-type]


def test_happy_path_sends_params_and_key_and_reads_the_answer(
    fake: FakeOpenAI, clock: FakeClock
) -> None:
    fake.enqueue(FakeReply(content="Hello there!"))
    with make_model(
        fake, clock, api_key="sk-secret", params={"temperature": 0.2, "max_tokens": 50}
    ) as model:
        assert isinstance(model, ChatModel)
        completion = model.complete(HELLO, max_tokens=10, seed=None, top_p=0.9)
    assert completion.content == "Hello there!"
    assert completion.tool_calls == ()
    assert completion.finish_reason == "stop"
    assert completion.model == "gpt-test"
    assert completion.id is not None and completion.id.startswith("chatcmpl-")
    assert completion.attempts == 1 and completion.latency_ms > 0
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    (body,) = fake.requests
    assert body == {
        "model": "gpt-test",
        "messages": HELLO,
        "temperature": 0.2,
        "max_tokens": 10,
        "top_p": 0.9,
    }
    assert fake.request_headers[0]["Authorization"] == "Bearer sk-secret"
    assert clock.sleeps == []
    assert "sk-secret" not in repr(model)


def test_tool_calls_are_parsed_and_round_trip(fake: FakeOpenAI, clock: FakeClock) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
    fake.enqueue(
        FakeReply(
            tool_calls=[
                {"id": "call_1", "type": "function",
                 "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
                {"id": "call_2", "type": "function",
                 "function": {"name": "get_weather", "arguments": '{"city": '}},
            ]
        )
    )  # fmt: skip
    with make_model(fake, clock) as model:
        completion = model.complete(HELLO, tools=tools, tool_choice="auto")
    assert fake.requests[0]["tools"] == tools
    assert fake.requests[0]["tool_choice"] == "auto"
    assert completion.content is None
    assert completion.finish_reason == "tool_calls"
    first, broken = completion.tool_calls
    assert (first.id, first.name, first.arguments) == ("call_1", "get_weather", {"city": "Oslo"})
    assert broken.arguments is None and broken.arguments_json == '{"city": '
    message = completion.to_message()
    assert message["role"] == "assistant"
    assert [c["id"] for c in message["tool_calls"]] == ["call_1", "call_2"]
    assert json.loads(message["tool_calls"][0]["function"]["arguments"]) == {"city": "Oslo"}


def test_429_waits_what_retry_after_says_then_succeeds(fake: FakeOpenAI, clock: FakeClock) -> None:
    fake.enqueue(FakeReply(status=429, retry_after=7), FakeReply(content="ok"))
    with make_model(fake, clock) as model:
        completion = model.complete(HELLO)
    assert completion.content == "ok" and completion.attempts == 2
    assert clock.sleeps == [7.0]
    assert len(fake.requests) == 2


def test_429_without_hint_falls_back_to_backoff(fake: FakeOpenAI, clock: FakeClock) -> None:
    fake.enqueue(FakeReply(status=429, retry_after=None), FakeReply(content="ok"))
    with make_model(fake, clock) as model:
        assert model.complete(HELLO).content == "ok"
    assert clock.sleeps == [0.5]


def test_5xx_retried_with_exponential_backoff(fake: FakeOpenAI, clock: FakeClock) -> None:
    fake.enqueue(FakeReply(status=500), FakeReply(status=503), FakeReply(content="ok"))
    with make_model(fake, clock) as model:
        completion = model.complete(HELLO)
    assert completion.content == "ok" and completion.attempts == 3
    assert clock.sleeps == [0.5, 1.0]  # base 0.5 s, doubled, no jitter


def test_timeout_then_success(fake: FakeOpenAI, clock: FakeClock) -> None:
    fake.enqueue(FakeReply(content="too late", delay=2.0), FakeReply(content="in time"))
    with make_model(fake, clock, timeout=0.2) as model:
        completion = model.complete(HELLO)
    assert completion.content == "in time" and completion.attempts == 2
    assert clock.sleeps == [0.5]


def test_persistent_failure_raises_upstream_error_with_a_clear_message(
    fake: FakeOpenAI, clock: FakeClock
) -> None:
    fake.set_default(lambda body: FakeReply(status=500))
    with make_model(fake, clock, name="judge-model") as model, pytest.raises(UpstreamError) as info:
        model.complete(HELLO)
    error = info.value
    assert "judge-model" in error.message and "gpt-test" in error.message
    assert "after 3 attempts" in error.message and "HTTP 500" in error.message
    assert error.details["attempts"] == 3 and error.details["status"] == 500
    assert len(fake.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


def test_client_errors_are_not_retried(fake: FakeOpenAI, clock: FakeClock) -> None:
    fake.enqueue(FakeReply(status=401))
    with make_model(fake, clock) as model, pytest.raises(UpstreamError) as info:
        model.complete(HELLO)
    assert "HTTP 401" in info.value.message and "API key" in info.value.message
    assert "attempts" not in info.value.message
    assert len(fake.requests) == 1 and clock.sleeps == []


def test_a_200_that_is_not_a_completion_is_an_upstream_error(
    fake: FakeOpenAI, clock: FakeClock
) -> None:
    fake.enqueue(FakeReply(body={"choices": []}))
    with make_model(fake, clock) as model, pytest.raises(UpstreamError, match="not a chat"):
        model.complete(HELLO)
    assert len(fake.requests) == 1


def test_unreachable_endpoint_is_retried_then_reported(clock: FakeClock) -> None:
    with FakeOpenAI() as gone:
        base_url = gone.base_url  # a port nobody listens on once the server stops
    model = OpenAICompatibleModel(
        base_url, "gpt-test", max_retries=1, sleep=clock.sleep, backoff=Backoff(jitter=0.0)
    )
    with model, pytest.raises(UpstreamError, match="connection failed"):
        model.complete(HELLO)
    assert clock.sleeps == [0.5]


def test_rate_limiter_spaces_calls(fake: FakeOpenAI, clock: FakeClock) -> None:
    limiter = RateLimiter(per_minute=60, clock=clock, sleep=clock.sleep)
    with make_model(fake, clock, limiter=limiter) as model:
        for _ in range(3):
            model.complete(HELLO)
    assert clock.sleeps == [1.0, 1.0]
    assert len(fake.requests) == 3


def test_retries_also_wait_for_the_rate_limiter(fake: FakeOpenAI, clock: FakeClock) -> None:
    limiter = RateLimiter(per_minute=6, clock=clock, sleep=clock.sleep)  # one per 10 s
    fake.enqueue(FakeReply(status=500), FakeReply(content="ok"))
    with make_model(fake, clock, limiter=limiter) as model:
        model.complete(HELLO)
    # The backoff, then the rest of the limiter's 10 s interval.
    assert clock.sleeps == pytest.approx([0.5, 9.5])


def test_bad_requests_fail_before_any_http(fake: FakeOpenAI, clock: FakeClock) -> None:
    with make_model(fake, clock) as model:
        with pytest.raises(InvalidInput):
            model.complete([])
        with pytest.raises(InvalidInput):
            model.complete([{"content": "no role"}])
        with pytest.raises(InvalidInput):
            model.complete(HELLO, stream=True)
        with pytest.raises(InvalidInput):
            model.complete([{"role": "user", "content": object()}])
    assert fake.requests == []
    with pytest.raises(InvalidInput):
        OpenAICompatibleModel("ftp://example.org", "m")


def test_one_model_serves_many_threads(fake: FakeOpenAI, clock: FakeClock) -> None:
    answers: list[str | None] = []
    lock = threading.Lock()
    with make_model(fake, clock) as model:

        def worker(i: int) -> None:
            content = model.complete([{"role": "user", "content": f"q{i}"}]).content
            with lock:
                answers.append(content)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(answers) == 6 and len(set(answers)) == 6


def test_async_model_retries_and_answers(fake: FakeOpenAI) -> None:
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def run() -> list[str | None]:
        fake.enqueue(FakeReply(status=502), FakeReply(content="async ok"))
        async with AsyncOpenAICompatibleModel(
            fake.base_url, "gpt-test", sleep=fake_sleep, backoff=Backoff(base=0.25, jitter=0.0)
        ) as model:
            first = await model.complete(HELLO)
            more = await asyncio.gather(
                *(model.complete([{"role": "user", "content": f"q{i}"}]) for i in range(3))
            )
        return [first.content, *(c.content for c in more)]

    first, *more = asyncio.run(run())
    assert first == "async ok"
    assert len(set(more)) == 3 and all(m and m.startswith("[gpt-test]") for m in more)
    assert sleeps == [0.25]
    assert len(fake.requests) == 5


def test_async_model_gives_up_with_upstream_error(fake: FakeOpenAI) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    async def run() -> None:
        fake.set_default(lambda body: FakeReply(status=503, retry_after=0))
        async with AsyncOpenAICompatibleModel(
            fake.base_url, "gpt-test", max_retries=1, sleep=no_sleep
        ) as model:
            await model.complete(HELLO)

    with pytest.raises(UpstreamError, match="after 2 attempts"):
        asyncio.run(run())
