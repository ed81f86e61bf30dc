"""Adapters for any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, ...)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx

from assay.errors import InvalidInput, UpstreamError
from assay.llm._backoff import Backoff
from assay.llm._completion import Completion, Message, Tool
from assay.llm._openai_wire import (
    Failure,
    build_payload,
    failure_from_exception,
    failure_from_response,
    parse_completion,
)
from assay.llm._rate_limit import RateLimiter

__all__ = ["AsyncOpenAICompatibleModel", "OpenAICompatibleModel"]

_USER_AGENT = "assay-llm/0.1"
# Extra words for the failures people hit first, so the message says what to do.
_HINTS = {
    401: " Check the endpoint's API key.",
    403: " The API key may not have access to this model.",
    404: " Check the base URL and the model name.",
}


class _OpenAIEndpoint:
    """What the sync and async adapters share: settings, request body and retry decisions."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None,
        params: Mapping[str, Any] | None,
        timeout: float,
        max_retries: int,
        rate_limit_per_minute: float | None,
        name: str | None,
        backoff: Backoff | None,
        limiter: RateLimiter | None,
        limiter_sleep: Callable[[float], None],
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise InvalidInput(f"The base URL must start with http:// or https://: {base_url!r}")
        if timeout <= 0 or max_retries < 0:
            raise InvalidInput("timeout must be > 0 and max_retries >= 0.")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.name = name or model
        self.params = dict(params or {})
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff or Backoff()
        if limiter is None and rate_limit_per_minute is not None:
            limiter = RateLimiter(rate_limit_per_minute, sleep=limiter_sleep)
        self.limiter = limiter
        self._headers = {"User-Agent": _USER_AGENT, "Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"

    def __repr__(self) -> str:
        # Never shows the API key.
        kind = type(self).__name__
        return f"{kind}(name={self.name!r}, model={self.model!r}, url={self.base_url!r})"

    def _encode(
        self, messages: Sequence[Message], tools: Sequence[Tool] | None, params: Mapping[str, Any]
    ) -> bytes:
        payload = build_payload(self.model, messages, tools, {**self.params, **params})
        try:
            return json.dumps(payload).encode()
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"The chat request is not JSON-serialisable: {exc}") from exc

    def _outcome(
        self, response: httpx.Response, started: float, attempt: int
    ) -> Completion | Failure:
        latency_ms = (time.perf_counter() - started) * 1000.0
        if response.status_code != 200:
            return failure_from_response(response)
        try:
            return parse_completion(
                response.json(),
                latency_ms=latency_ms,
                attempts=attempt + 1,
                fallback_model=self.model,
            )
        except (UpstreamError, ValueError):
            snippet = response.text[:200].strip()
            return Failure(
                f"HTTP 200 but the body is not a chat completion: {snippet}",
                retryable=False,
                status=200,
            )

    def _delay_after(self, attempt: int, failure: Failure, failures: list[Failure]) -> float:
        """Seconds to wait before the next attempt; raises when there is none."""
        failures.append(failure)
        if not failure.retryable or attempt >= self.max_retries:
            raise self._give_up(failures)
        return self.backoff.delay(attempt, failure.retry_after)

    def _give_up(self, failures: list[Failure]) -> UpstreamError:
        last = failures[-1]
        tries = f" after {len(failures)} attempts" if len(failures) > 1 else ""
        hint = _HINTS.get(last.status or 0, "")
        return UpstreamError(
            f"Model endpoint '{self.name}' (model '{self.model}' at {self.base_url}) "
            f"failed{tries}: {last.reason.rstrip('.')}.{hint}",
            details={
                "endpoint": self.name,
                "model": self.model,
                "base_url": self.base_url,
                "attempts": len(failures),
                "status": last.status,
                "failures": [failure.reason for failure in failures],
            },
        )


class OpenAICompatibleModel(_OpenAIEndpoint):
    """A chat model behind an OpenAI-compatible ``/chat/completions`` endpoint.

    Retries timeouts, connection errors, 408/409/429 and 5xx answers with exponential backoff
    and jitter (honouring ``Retry-After``), then raises ``UpstreamError``. Other 4xx answers
    fail at once. An optional token-bucket limiter spaces requests, shared across threads.
    Thread-safe: one instance can serve many worker threads.

    Args:
        base_url: The API root, e.g. ``"https://api.openai.com/v1"``.
        model: The model name sent with each request.
        api_key: Sent as ``Authorization: Bearer ...`` when given.
        params: Default sampling parameters (``temperature``, ``max_tokens``, ...); per-call
            params override them and ``None`` values are left out.
        timeout: Seconds allowed for each request.
        max_retries: Retries after the first attempt (0 disables retrying).
        rate_limit_per_minute: Requests per minute this client may send (``None``: unlimited).
        name: How errors name this endpoint (defaults to the model name).
        backoff: The wait schedule between attempts.
        limiter: A limiter to share with other clients of the same endpoint; takes
            precedence over ``rate_limit_per_minute``.
        sleep: Blocking sleep used between attempts (injectable for tests).
        transport: An httpx transport (for tests or custom networking).

    Example:
        >>> model = OpenAICompatibleModel("http://localhost:8001/v1", "llama-3-8b")
        >>> model.complete([{"role": "user", "content": "Hi"}]).content  # doctest: +SKIP
        'Hello! How can I help?'

    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        rate_limit_per_minute: float | None = None,
        name: str | None = None,
        backoff: Backoff | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url, model, api_key=api_key, params=params, timeout=timeout,
            max_retries=max_retries, rate_limit_per_minute=rate_limit_per_minute, name=name,
            backoff=backoff, limiter=limiter, limiter_sleep=sleep,
        )  # fmt: skip
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=self.base_url, timeout=timeout, headers=self._headers, transport=transport
        )

    def complete(
        self, messages: Sequence[Message], *, tools: Sequence[Tool] | None = None, **params: Any
    ) -> Completion:
        """Answer the conversation; see ``assay.llm.ChatModel.complete``."""
        body = self._encode(messages, tools, params)
        failures: list[Failure] = []
        attempt = 0
        while True:
            if self.limiter is not None:
                self.limiter.acquire()
            outcome = self._send(body, attempt)
            if isinstance(outcome, Completion):
                return outcome
            self._sleep(self._delay_after(attempt, outcome, failures))
            attempt += 1

    def _send(self, body: bytes, attempt: int) -> Completion | Failure:
        started = time.perf_counter()
        try:
            response = self._client.post("/chat/completions", content=body)
        except httpx.TransportError as exc:
            return failure_from_exception(exc, self.timeout)
        return self._outcome(response, started, attempt)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> OpenAICompatibleModel:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncOpenAICompatibleModel(_OpenAIEndpoint):
    """The asyncio twin of ``OpenAICompatibleModel``: same arguments, ``await complete(...)``.

    ``sleep`` is awaited between attempts and while the rate limiter holds a request back.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        rate_limit_per_minute: float | None = None,
        name: str | None = None,
        backoff: Backoff | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url, model, api_key=api_key, params=params, timeout=timeout,
            max_retries=max_retries, rate_limit_per_minute=rate_limit_per_minute, name=name,
            backoff=backoff, limiter=limiter, limiter_sleep=time.sleep,  # reserve() only
        )  # fmt: skip
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, headers=self._headers, transport=transport
        )

    async def complete(
        self, messages: Sequence[Message], *, tools: Sequence[Tool] | None = None, **params: Any
    ) -> Completion:
        """Answer the conversation; see ``assay.llm.ChatModel.complete``."""
        body = self._encode(messages, tools, params)
        failures: list[Failure] = []
        attempt = 0
        while True:
            if self.limiter is not None and (wait := self.limiter.reserve()) > 0:
                await self._sleep(wait)
            started = time.perf_counter()
            try:
                response = await self._client.post("/chat/completions", content=body)
                outcome = self._outcome(response, started, attempt)
            except httpx.TransportError as exc:
                outcome = failure_from_exception(exc, self.timeout)
            if isinstance(outcome, Completion):
                return outcome
            await self._sleep(self._delay_after(attempt, outcome, failures))
            attempt += 1

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def __aenter__(self) -> AsyncOpenAICompatibleModel:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
