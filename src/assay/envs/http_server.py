"""An OpenEnv-style HTTP server: ``POST /reset``, ``POST /step``, ``GET /state`` over episodes.

Built on the standard library's ``ThreadingHTTPServer`` on purpose: the architecture lets only
``assay.api`` and ``assay.web`` import FastAPI/Starlette (an import-linter contract), and the
environment library must run on its own (in an RL cluster, without the platform's server). The
protocol is a handful of JSON routes, so the standard library is enough.

Routes (JSON in and out; errors are ``{"error": {"code", "message", "details"}}`` with a 4xx):

- ``GET /health``; ``GET /tasks``
- ``POST /reset`` ``{"task_id", "seed"?, "faults"?}``
  -> ``{"episode_id", "observation", "reward", "done"}``
- ``POST /step`` ``{"episode_id", "action": {"tool", "arguments"}}``
  -> ``{"observation", "reward", "done", "truncated"}``
- ``GET /state?episode_id=`` -> step count, clock, score so far, state hash
- ``GET /tools?episode_id=``; ``GET /trajectory?episode_id=``
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from assay.envs.episode import Episode
from assay.envs.tasks import Task, bundled_tasks
from assay.errors import AssayError, InvalidInput, NotFound

_STATUS = {"invalid_input": 400, "not_found": 404, "conflict": 409}


class EpisodeStore:
    """Live episodes by id, each with its own lock; the oldest are dropped past ``capacity``."""

    def __init__(self, tasks: Mapping[str, Task], capacity: int = 1024) -> None:
        self.tasks = tasks
        self.capacity = capacity
        self._episodes: OrderedDict[str, tuple[Episode, threading.Lock]] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, task_id: str, seed: int, faults: bool) -> tuple[str, Episode]:
        """Start an episode of a known task."""
        if task_id not in self.tasks:
            raise NotFound(f"no task {task_id!r}", details={"known": sorted(self.tasks)})
        episode = Episode(self.tasks[task_id], faults=faults, seed=seed)
        episode_id = uuid.uuid4().hex
        with self._lock:
            self._episodes[episode_id] = (episode, threading.Lock())
            while len(self._episodes) > self.capacity:
                self._episodes.popitem(last=False)
        return episode_id, episode

    def get(self, episode_id: str) -> tuple[Episode, threading.Lock]:
        """Return an episode and its lock."""
        with self._lock:
            found = self._episodes.get(episode_id)
        if found is None:
            raise NotFound(f"no episode {episode_id!r}")
        return found


def _field(body: Mapping[str, Any], name: str, kind: type, default: Any = ...) -> Any:
    value = body.get(name, default)
    if value is ... or not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidInput(f"'{name}' must be a {kind.__name__}", details={"field": name})
    return value


def _state(episode_id: str, episode: Episode) -> dict[str, Any]:
    grade = episode.grade()
    return {
        "episode_id": episode_id,
        "task_id": episode.task.id,
        "step_count": episode.step_count,
        "done": episode.done,
        "finished": episode.finished,
        "truncated": episode.truncated,
        "clock": episode.universe.clock.iso(),
        "score": grade.score,
        "success": grade.success,
        "state_hash": episode.universe.snapshot_hash(),
    }


class _Routes:
    """The route logic, kept apart from the HTTP plumbing."""

    def __init__(self, store: EpisodeStore) -> None:
        self.store = store

    def get(self, path: str, query: Mapping[str, str]) -> Any:
        if path == "/health":
            return {"status": "ok"}
        if path == "/tasks":
            return [
                {
                    "id": t.id,
                    "title": t.title,
                    "category": t.category,
                    "needs_fallback": t.needs_fallback,
                    "faults": len(t.faults),
                }
                for t in self.store.tasks.values()
            ]
        if path in ("/state", "/tools", "/trajectory"):
            episode_id = query.get("episode_id") or ""
            episode, lock = self.store.get(episode_id)
            with lock:
                if path == "/state":
                    return _state(episode_id, episode)
                if path == "/tools":
                    return {"tools": episode.tool_specs()}
                return {"steps": [r.to_dict() for r in episode.records]}
        raise NotFound(f"no route GET {path}")

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        if path == "/reset":
            task_id = _field(body, "task_id", str)
            episode_id, episode = self.store.create(
                task_id, _field(body, "seed", int, 0), _field(body, "faults", bool, False)
            )
            return {
                "episode_id": episode_id,
                "observation": episode.first_observation(),
                "reward": 0.0,
                "done": False,
            }
        if path == "/step":
            episode_id = _field(body, "episode_id", str)
            action = _field(body, "action", dict)
            episode, lock = self.store.get(episode_id)
            with lock:
                observation = episode.step(
                    _field(action, "tool", str), action.get("arguments") or {}
                )
                reward = episode.grade().score if episode.done else 0.0
                return {
                    "observation": observation,
                    "reward": reward,
                    "done": episode.done,
                    "truncated": episode.truncated,
                }
        raise NotFound(f"no route POST {path}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AssayEnvs/1.0"
    # Headers and body leave in two writes; without this a keep-alive client waits ~40 ms per step.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet; the episode records are the log."""

    def _routes(self) -> _Routes:
        routes: _Routes = self.server.routes  # type: ignore[attr-defined]
        return routes

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self._respond(lambda: self._routes().get(url.path.rstrip("/") or "/", query))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        path = urlsplit(self.path).path.rstrip("/")

        def handle() -> Any:
            try:
                body = json.loads(raw)
            except ValueError as error:
                raise InvalidInput("the body is not JSON") from error
            if not isinstance(body, dict):
                raise InvalidInput("the body must be a JSON object")
            return self._routes().post(path, body)

        self._respond(handle)

    def _respond(self, handle: Any) -> None:
        try:
            status, payload = 200, handle()
        except AssayError as error:
            status = _STATUS.get(error.code, 400)
            payload = {
                "error": {"code": error.code, "message": error.message, "details": error.details}
            }
        except Exception as error:  # a bug must still answer JSON, not drop the connection
            status, payload = (
                500,
                {"error": {"code": "internal_error", "message": repr(error), "details": None}},
            )
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: _Routes


class EnvServer:
    """The HTTP server over a task set (the bundled tasks by default).

    Use ``start()`` (or a ``with`` block) to serve in a background thread, or ``serve_forever()``.
    """

    def __init__(
        self, tasks: Mapping[str, Task] | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.store = EpisodeStore(tasks if tasks is not None else bundled_tasks())
        self._server = _Server((host, port), _Handler)
        self._server.routes = _Routes(self.store)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8765``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> EnvServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> EnvServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
