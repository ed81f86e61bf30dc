from __future__ import annotations

import email.utils

import httpx
import pytest

from assay.errors import InvalidInput, UpstreamError
from assay.llm._openai_wire import (
    build_payload,
    failure_from_exception,
    failure_from_response,
    parse_completion,
    parse_retry_after,
)


def test_retry_after_prefers_milliseconds_then_seconds_then_dates() -> None:
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    assert parse_retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert parse_retry_after(httpx.Headers({"Retry-After": "1.5"})) == 1.5
    date = email.utils.formatdate(1_000_030.0, usegmt=True)
    assert parse_retry_after(httpx.Headers({"Retry-After": date}), now=1_000_000.0) == 30.0
    assert parse_retry_after(httpx.Headers({"Retry-After": date}), now=2_000_000.0) == 0.0
    assert parse_retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert parse_retry_after(httpx.Headers({})) is None


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (404, False), (408, True), (409, True), (429, True),
     (500, True), (502, True), (503, True)],
)  # fmt: skip
def test_which_statuses_are_retried(status: int, retryable: bool) -> None:
    response = httpx.Response(status, json={"error": {"message": "nope"}})
    failure = failure_from_response(response)
    assert failure.retryable is retryable
    assert failure.reason == f"HTTP {status}: nope"


def test_retry_after_is_read_on_429_and_503_only() -> None:
    headers = {"Retry-After": "2"}
    assert failure_from_response(httpx.Response(429, headers=headers)).retry_after == 2.0
    assert failure_from_response(httpx.Response(503, headers=headers)).retry_after == 2.0
    assert failure_from_response(httpx.Response(500, headers=headers)).retry_after is None


def test_non_json_error_bodies_are_quoted() -> None:
    failure = failure_from_response(httpx.Response(502, text="<html>Bad gateway</html>"))
    assert "Bad gateway" in failure.reason


def test_transport_failures() -> None:
    assert failure_from_exception(httpx.ReadTimeout("slow"), 2.0).retryable
    assert "within 2s" in failure_from_exception(httpx.ReadTimeout("slow"), 2.0).reason
    assert failure_from_exception(httpx.ConnectError("refused"), 2.0).retryable
    assert not failure_from_exception(httpx.UnsupportedProtocol("ftp"), 2.0).retryable


def test_payload_merges_and_validates() -> None:
    payload = build_payload("m", [{"role": "user", "content": "x"}], None, {"a": 1, "b": None})
    assert payload == {"model": "m", "messages": [{"role": "user", "content": "x"}], "a": 1}
    with pytest.raises(InvalidInput, match="messages"):
        build_payload("m", [{"role": "user", "content": "x"}], None, {"messages": []})


def test_completion_without_usage_or_content() -> None:
    body = {"choices": [{"message": {"role": "assistant"}, "finish_reason": None}]}
    completion = parse_completion(body, latency_ms=1.0, attempts=1, fallback_model="m")
    assert completion.content is None and completion.model == "m"
    assert completion.finish_reason == "unknown" and completion.usage.total_tokens == 0


@pytest.mark.parametrize("body", [None, [], {"choices": "x"}, {"choices": [{}]}, "text"])
def test_not_a_completion(body: object) -> None:
    with pytest.raises(UpstreamError):
        parse_completion(body, latency_ms=1.0, attempts=1, fallback_model="m")
