"""A real HTTP webhook receiver on 127.0.0.1 that records requests and fails on request."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class WebhookReceiver:
    """Answers 200 unless told otherwise; every request is kept in ``requests``."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    _plan: list[tuple[int, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    delay_seconds: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status``."""
        with self._lock:
            self._plan.extend([(status, 0.0)] * count)

    def stall_next(self, count: int, seconds: float) -> None:
        """Hold the next ``count`` requests for ``seconds`` before answering 200."""
        with self._lock:
            self._plan.extend([(200, seconds)] * count)

    def _next_answer(self) -> tuple[int, float]:
        with self._lock:
            return self._plan.pop(0) if self._plan else (200, self.delay_seconds)

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    def delivery_ids(self) -> list[str]:
        with self._lock:
            return [r.headers["x-assay-delivery"] for r in self.requests if r.status < 300]


def _handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, delay = receiver._next_answer()
            receiver.enter()
            if delay:
                time.sleep(delay)
            receiver.leave()
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.record(Received(self.path, headers, body, status))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            with contextlib.suppress(OSError):  # the sender may have timed out and hung up
                self.wfile.write(b"ok" if status < 300 else b"no")

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """Serve a receiver on a random local port until the block ends."""
    receiver = WebhookReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_port}/hooks/assay"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
