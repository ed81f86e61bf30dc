"""A minimal client for OpenAI-compatible chat completions with tool calling, over httpx.

``assay.envs`` may not use ``assay.llm`` (they are sibling layers), so the agent runner carries
its own small client: one endpoint, retries with exponential backoff on 429, 5xx, timeouts and
connection errors, honouring ``Retry-After`` when the server sends one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import httpx

from assay.errors import UpstreamError

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


class ChatClient:
    """Calls ``POST {base_url}/chat/completions``.

    Args:
        base_url: the API root, e.g. ``http://127.0.0.1:8000/v1``.
        model: the model name sent with every request.
        api_key: sent as a bearer token when given.
        timeout: seconds per request.
        max_retries: retries after the first attempt.
        backoff: first pause in seconds; doubles each retry (``Retry-After`` wins, capped at 30 s).
        sleep: how to pause (tests pass a no-op).
        transport: an httpx transport (for tests or proxies).

    """

    def __init__(
        self,
        base_url: str,
        *,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.model = model
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    def complete(
        self,
        messages: Sequence[dict[str, Any]],
        tools: Sequence[dict[str, Any]] | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """One chat completion; returns the assistant message (``content`` and ``tool_calls``).

        Raises:
            UpstreamError: the endpoint kept failing, or answered with a non-retryable error.

        """
        body: dict[str, Any] = {"model": self.model, "messages": list(messages), **params}
        if tools:
            body["tools"] = list(tools)
            body.setdefault("tool_choice", "auto")
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                response = self.http.post("/chat/completions", json=body)
            except (httpx.TimeoutException, httpx.TransportError) as error:
                if last:
                    raise UpstreamError(f"model endpoint unreachable: {error!r}") from error
                self.sleep(self._pause(attempt, None))
                continue
            if response.status_code == 200:
                return _message(response)
            if response.status_code not in RETRY_STATUSES or last:
                raise UpstreamError(
                    f"model endpoint answered HTTP {response.status_code}",
                    details=_error_body(response),
                )
            self.sleep(self._pause(attempt, response.headers.get("retry-after")))
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return min(30.0, max(0.0, float(retry_after)))
            except ValueError:
                pass
        return float(min(30.0, self.backoff * 2**attempt))

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _error_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _message(response: httpx.Response) -> dict[str, Any]:
    try:
        message = response.json()["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise UpstreamError(
            "model endpoint sent a malformed completion", details=response.text[:500]
        ) from error
    if not isinstance(message, dict):
        raise UpstreamError(
            "model endpoint sent a malformed completion", details=response.text[:500]
        )
    return message
