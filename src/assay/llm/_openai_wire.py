"""The OpenAI chat-completions wire format: request bodies, answers, and what a failure means."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from assay.errors import InvalidInput, UpstreamError
from assay.llm._completion import Completion, Message, Tool, ToolCall, Usage

__all__ = [
    "Failure",
    "build_payload",
    "failure_from_exception",
    "failure_from_response",
    "parse_completion",
    "parse_retry_after",
]

# Set by the adapter itself; a caller passing them as params is a mistake, not an override.
_RESERVED_PARAMS = frozenset({"model", "messages", "tools", "stream"})
# 408/409 are transient on OpenAI's side; 429 is rate limiting; 5xx is the server's fault.
_RETRYABLE_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class Failure:
    """Why one request did not produce a completion.

    Attributes:
        reason: A one-line human explanation.
        retryable: Whether trying again may help.
        status: The HTTP status, when the endpoint answered at all.
        retry_after: Seconds the endpoint asked us to wait, when it said.

    """

    reason: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None


def build_payload(
    model: str,
    messages: Sequence[Message],
    tools: Sequence[Tool] | None,
    params: Mapping[str, Any],
) -> dict[str, Any]:
    """Build the JSON body of a chat-completions request, leaving out ``None`` params.

    Raises:
        InvalidInput: No messages, a message without a role, or a reserved param name.

    """
    if not messages:
        raise InvalidInput("A chat request needs at least one message.")
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping) or not isinstance(message.get("role"), str):
            raise InvalidInput(f"Message {index} must be an object with a 'role'.")
    reserved = sorted(_RESERVED_PARAMS.intersection(params))
    if reserved:
        raise InvalidInput(f"These cannot be passed as params: {', '.join(reserved)}.")
    payload: dict[str, Any] = {"model": model, "messages": [dict(m) for m in messages]}
    if tools:
        payload["tools"] = [dict(tool) for tool in tools]
    payload.update({key: value for key, value in params.items() if value is not None})
    return payload


def parse_completion(
    body: Any, *, latency_ms: float, attempts: int, fallback_model: str
) -> Completion:
    """Read a completion from a chat-completions response body.

    Raises:
        UpstreamError: The body is not a chat completion with at least one choice.

    """
    try:
        choice = body["choices"][0]
        message = choice["message"]
        calls = message.get("tool_calls") or []
        content = message.get("content")
        usage = body.get("usage") or {}
        return Completion(
            content=content if isinstance(content, str) else None,
            tool_calls=tuple(ToolCall.from_openai(call) for call in calls),
            finish_reason=str(choice.get("finish_reason") or "unknown"),
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
                total_tokens=int(usage.get("total_tokens") or 0),
            ),
            latency_ms=latency_ms,
            model=str(body.get("model") or fallback_model),
            id=str(body["id"]) if body.get("id") else None,
            attempts=attempts,
        )
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        raise UpstreamError(
            "The model endpoint answered 200 but not with a chat completion.",
            details={"body": str(body)[:500]},
        ) from exc


def parse_retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, else ``Retry-After``.

    ``Retry-After`` may be seconds (integer or decimal) or an HTTP date. Returns ``None``
    when neither header is present or readable.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def _upstream_message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, Mapping) and error.get("message"):
        return str(error["message"])[:300]
    if isinstance(error, str):
        return error[:300]
    return response.text[:300].strip() or response.reason_phrase


def failure_from_response(response: httpx.Response) -> Failure:
    """Classify a non-200 answer."""
    status = response.status_code
    retryable = status in _RETRYABLE_STATUSES or status >= 500
    retry_after = parse_retry_after(response.headers) if status in (429, 503) else None
    return Failure(
        reason=f"HTTP {status}: {_upstream_message(response)}",
        retryable=retryable,
        status=status,
        retry_after=retry_after,
    )


def failure_from_exception(exc: httpx.TransportError, timeout: float) -> Failure:
    """Classify a request that got no answer: timeouts and connection errors are retryable."""
    if isinstance(exc, httpx.UnsupportedProtocol):
        return Failure(f"the base URL is not http(s): {exc}", retryable=False)
    if isinstance(exc, httpx.TimeoutException):
        return Failure(f"no answer within {timeout:g}s ({type(exc).__name__})", retryable=True)
    return Failure(f"connection failed ({type(exc).__name__}: {exc})", retryable=True)
