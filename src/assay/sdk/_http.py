"""One authenticated HTTP session: URLs, JSON bodies, error parsing and retries with backoff."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import pydantic_core

from assay.sdk._errors import AssayAPIError

RETRY_STATUSES = frozenset({502, 503, 504})
MAX_BACKOFF_SECONDS = 30.0
USER_AGENT = "assay-sdk/0.1"

Params = Mapping[str, str | int | None]
# Builds fresh keyword arguments for httpx on every attempt (a file body must be reopened).
RequestArgs = Callable[[], dict[str, Any]]


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON, as the server reads it.

    pydantic's encoder (Rust) writes the same bytes as the standard library's, several times
    faster on bulk bodies; what it cannot encode goes to the standard library, which says why.
    """
    try:
        return pydantic_core.to_json(body, inf_nan_mode="constants")
    except pydantic_core.PydanticSerializationError:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


class HttpSession:
    """Sends requests to one Assay server with one key, retrying what is safe to retry.

    Args:
        base_url: The server's root, e.g. ``http://127.0.0.1:8000``.
        api_key: The bearer key.
        http: The ``httpx.Client`` to send with (its owner closes it).
        max_retries: Extra attempts after the first for retryable failures.
        backoff: Seconds before the first retry; doubles each time, with jitter.

    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        http: httpx.Client,
        *,
        max_retries: int,
        backoff: float,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.max_retries = max(0, max_retries)
        self.backoff = max(0.0, backoff)
        self.headers = {"Authorization": f"Bearer {api_key}", "User-Agent": USER_AGENT}

    def url(self, path: str) -> str:
        """Make the absolute URL of an API path."""
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Params | None = None,
        idempotent: bool,
        build: RequestArgs | None = None,
    ) -> Any:
        """Send one request and return its decoded JSON (raising AssayAPIError on 4xx/5xx).

        Args:
            method: The HTTP method.
            path: The API path, starting with ``/``.
            body: A JSON-serialisable body, if any.
            params: Query parameters; ``None`` values are left out.
            idempotent: Whether a request that may have reached the server can be sent again.
            build: Makes extra httpx arguments per attempt (multipart uploads).

        """
        content = encode_json(body) if body is not None else None
        headers = dict(self.headers)
        if content is not None:
            headers["Content-Type"] = "application/json"

        def send() -> httpx.Response:
            extra = build() if build is not None else {}
            return self.http.request(
                method,
                self.url(path),
                content=content,
                params=_clean(params),
                headers=headers,
                **extra,
            )

        response = self._with_retries(send, idempotent=idempotent)
        if response.status_code >= 400:
            raise AssayAPIError.from_response(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    @contextmanager
    def stream(self, path: str, params: Params | None = None) -> Iterator[httpx.Response]:
        """Open a streamed GET (retried until the headers arrive); errors are raised parsed."""

        def open_stream() -> httpx.Response:
            request = self.http.build_request(
                "GET", self.url(path), params=_clean(params), headers=self.headers
            )
            return self.http.send(request, stream=True)

        response = self._with_retries(open_stream, idempotent=True, streamed=True)
        try:
            if response.status_code >= 400:
                response.read()
                raise AssayAPIError.from_response(response)
            yield response
        finally:
            response.close()

    def _with_retries(
        self, send: Callable[[], httpx.Response], *, idempotent: bool, streamed: bool = False
    ) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = send()
            except httpx.TransportError as exc:
                # A refused connection never reached the server, so any request may be resent.
                safe = idempotent or isinstance(exc, httpx.ConnectError)
                if not safe or attempt >= self.max_retries:
                    raise
                self._pause(attempt, None)
                attempt += 1
                continue
            if (
                idempotent
                and response.status_code in RETRY_STATUSES
                and (attempt < self.max_retries)
            ):
                retry_after = response.headers.get("Retry-After")
                if streamed:
                    response.close()
                self._pause(attempt, retry_after)
                attempt += 1
                continue
            return response

    def _pause(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2**attempt) * (0.5 + random.random())
        if retry_after is not None and retry_after.isdigit():
            delay = max(delay, float(retry_after))
        time.sleep(min(delay, MAX_BACKOFF_SECONDS))


def _clean(params: Params | None) -> dict[str, str | int] | None:
    if params is None:
        return None
    return {name: value for name, value in params.items() if value is not None}
