"""A real local HTTP server speaking the OpenAI chat-completions protocol, for tests.

Usage::

    with FakeOpenAI() as fake:
        fake.enqueue(FakeReply(status=429, retry_after=0), FakeReply(content="hi"))
        ...  # point any OpenAI-compatible client at fake.base_url
        assert fake.requests[-1]["model"] == "gpt-test"

Endpoints: ``POST /v1/chat/completions``, ``GET /v1/models``, ``GET /v1/models/{id}``.
Queued replies are answered first-in first-out; with an empty queue the server answers a
deterministic text derived from the requested model and the last user message (or whatever
``set_default`` returns). Only the standard library is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["FakeOpenAI", "FakeReply", "default_reply"]

# OpenAI-style error "type" and "code" per HTTP status.
_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Forbidden."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    408: ("timeout", None, "Request timed out."),
    422: ("invalid_request_error", None, "Unprocessable request."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Try again."),
    500: ("server_error", None, "The server had an error while processing your request."),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


@dataclass(frozen=True)
class FakeReply:
    """One scripted answer of the fake server.

    Attributes:
        content: The assistant text (``None`` with tool calls only).
        tool_calls: Tool calls in OpenAI shape
            (``{"id", "type": "function", "function": {"name", "arguments": json-string}}``);
            a short ``{"name", "arguments": dict}`` form is accepted and normalised.
        status: HTTP status; anything but 200 answers an OpenAI-style error JSON.
        delay: Seconds to wait before answering (to provoke client timeouts).
        body: A JSON body sent verbatim instead of the generated one.
        retry_after: Seconds sent in ``Retry-After`` (and ``retry-after-ms``) on a 429;
            ``None`` sends no such header.
    """

    content: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    status: int = 200
    delay: float = 0.0
    body: dict[str, Any] | None = None
    retry_after: float | None = 1.0


ReplyFactory = Callable[[dict[str, Any]], FakeReply]


def _text_of(content: Any) -> str:
    """Return the text of a message content (a string or a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", "")) for part in content if isinstance(part, dict)
        ).strip()
    return ""


def _last_user_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return _text_of(message.get("content"))
    return ""


def default_reply(body: dict[str, Any]) -> FakeReply:
    """Answer deterministically from the requested model and the last user message.

    Two requests with the same model and last user message get the same text; different
    model names get different texts, so comparisons of two "models" are not ties.
    """
    model = str(body.get("model", ""))
    prompt = _last_user_text(body.get("messages"))
    digest = hashlib.sha256(f"{model}\n{prompt}".encode()).hexdigest()[:8]
    snippet = " ".join(prompt.split()[:12])
    return FakeReply(content=f"[{model}] Answer {digest} to: {snippet}")


def _count_tokens(text: str) -> int:
    """Approximate a token count the way people eyeball it: about four characters a token."""
    return (len(text) + 3) // 4


def _normalise_tool_call(index: int, call: dict[str, Any]) -> dict[str, Any]:
    if "function" in call:
        function = dict(call["function"])
    else:
        function = {"name": call.get("name", ""), "arguments": call.get("arguments", {})}
    if not isinstance(function.get("arguments"), str):
        function["arguments"] = json.dumps(function.get("arguments", {}))
    call_id = call.get("id") or f"call_{index}_{uuid.uuid4().hex[:16]}"
    return {"id": call_id, "type": call.get("type", "function"), "function": function}


def _completion_body(request: dict[str, Any], reply: FakeReply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
    finish_reason = "stop"
    if reply.tool_calls:
        message["tool_calls"] = [
            _normalise_tool_call(i, call) for i, call in enumerate(reply.tool_calls)
        ]
        finish_reason = "tool_calls"
    prompt_text = " ".join(
        _text_of(m.get("content")) for m in request.get("messages", []) if isinstance(m, dict)
    )
    completion_text = reply.content or ""
    if reply.tool_calls:
        completion_text += json.dumps(message["tool_calls"])
    prompt_tokens = _count_tokens(prompt_text) + 3 * len(request.get("messages", []))
    completion_tokens = _count_tokens(completion_text)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(request.get("model", "")),
        "system_fingerprint": "fp_fakeopenai",
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _error_body(status: int, message: str | None = None) -> dict[str, Any]:
    kind, code, default = _ERRORS.get(status, ("server_error", None, f"HTTP {status}."))
    return {"error": {"message": message or default, "type": kind, "param": None, "code": code}}


class _Handler(BaseHTTPRequestHandler):
    """Serves one connection; the owning ``FakeOpenAI`` is ``server.fake``."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"
    timeout = 30  # idle keep-alive connections give up eventually
    # Headers and body go out in two writes; with Nagle on, keep-alive requests would stall
    # ~40 ms on the client's delayed ACK.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self._fake().track(self.connection, opened=True)

    def finish(self) -> None:
        self._fake().track(self.connection, opened=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet; tests read ``FakeOpenAI.requests`` instead of logs."""

    def _fake(self) -> FakeOpenAI:
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        return fake

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/v1/models":
            self._send(200, {"object": "list", "data": self._fake().model_cards()})
        elif path.startswith("/v1/models/"):
            self._send(200, self._fake().model_card(path.removeprefix("/v1/models/")))
        else:
            self._send(404, _error_body(404, f"Unknown path {path}"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0].rstrip("/")
        if path != "/v1/chat/completions":
            self._send(404, _error_body(404, f"Unknown path {path}"))
            return
        try:
            request = json.loads(raw or b"null")
        except ValueError:
            self._send(400, _error_body(400, "We could not parse the JSON body of your request."))
            return
        if not isinstance(request, dict):
            self._send(400, _error_body(400, "The body must be a JSON object."))
            return
        fake = self._fake()
        fake.record(request, dict(self.headers.items()))
        problem = fake.check(request, self.headers.get("Authorization"))
        if problem is not None:
            self._send(problem[0], _error_body(*problem))
            return
        self._answer(request, fake.next_reply(request))

    def _answer(self, request: dict[str, Any], reply: FakeReply) -> None:
        if reply.delay > 0 and self._fake().stopping.wait(reply.delay):
            return  # the server is shutting down; drop the request
        headers: dict[str, str] = {"x-request-id": f"req_{uuid.uuid4().hex[:16]}"}
        if reply.status == 429 and reply.retry_after is not None:
            headers["Retry-After"] = f"{reply.retry_after:g}"
            headers["retry-after-ms"] = str(int(reply.retry_after * 1000))
        if reply.body is not None:
            body = reply.body
        elif reply.status == 200:
            body = _completion_body(request, reply)
        else:
            body = _error_body(reply.status)
        self._send(reply.status, body, headers)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            # The client gave up (e.g. its timeout fired during a delay): nothing to answer.
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Swallow per-connection errors (client resets); they are not test failures."""


class FakeOpenAI:
    """An OpenAI-compatible chat-completions server on 127.0.0.1 with a random free port.

    Args:
        api_key: When set, requests must send ``Authorization: Bearer <api_key>`` or get a 401.
        models: Model ids listed by ``GET /v1/models`` (requested models are added as seen).

    Attributes:
        base_url: e.g. ``"http://127.0.0.1:54321/v1"``; set while the server runs.
    """

    def __init__(self, api_key: str | None = None, models: tuple[str, ...] = ("fake-model",)):
        self.api_key = api_key
        self.base_url = ""
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._queue: deque[FakeReply] = deque()
        self._requests: list[dict[str, Any]] = []
        self._headers: list[dict[str, str]] = []
        self._models: dict[str, None] = dict.fromkeys(models)
        self._default: ReplyFactory = default_reply
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------
    def enqueue(self, *replies: FakeReply) -> None:
        """Queue replies, answered in order by the next chat-completion requests."""
        with self._lock:
            self._queue.extend(replies)

    def set_default(self, factory: ReplyFactory) -> None:
        """Answer with ``factory(request_body)`` whenever the queue is empty."""
        with self._lock:
            self._default = factory

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A snapshot of the chat-completion JSON bodies received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """A snapshot of the headers of those requests, in the same order."""
        with self._lock:
            return list(self._headers)

    @property
    def pending(self) -> int:
        """How many queued replies have not been served yet."""
        with self._lock:
            return len(self._queue)

    # -- used by the handler ---------------------------------------------------------------
    def record(self, request: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append(request)
            self._headers.append(headers)
            if isinstance(request.get("model"), str):
                self._models.setdefault(request["model"])

    def check(self, request: dict[str, Any], authorization: str | None) -> tuple[int, str] | None:
        if self.api_key is not None and authorization != f"Bearer {self.api_key}":
            return 401, "Incorrect API key provided."
        if not isinstance(request.get("model"), str) or not request["model"]:
            return 400, "you must provide a model parameter"
        if not isinstance(request.get("messages"), list) or not request["messages"]:
            return 400, "'messages' must be a non-empty array"
        return None

    def next_reply(self, request: dict[str, Any]) -> FakeReply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            factory = self._default
        return factory(request)

    def model_card(self, model_id: str) -> dict[str, Any]:
        return {"id": model_id, "object": "model", "created": 1700000000, "owned_by": "fake"}

    def model_cards(self) -> list[dict[str, Any]]:
        with self._lock:
            ids = list(self._models)
        return [self.model_card(model_id) for model_id in ids]

    def track(self, connection: socket.socket, *, opened: bool) -> None:
        with self._lock:
            if opened:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        """Start serving in a daemon thread; returns self."""
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut open keep-alive connections, so later calls fail to connect."""
        self.stopping.set()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
