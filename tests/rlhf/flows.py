"""Steps the RLHF tests share: register endpoints, run the jobs, lease and answer tasks."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from assay.services.jobs import RunReport, run_due_jobs
from assay.store import SessionFactory
from assay.store.base import utcnow
from tests.support.api import headers
from tests.support.fake_openai import FakeReply, default_reply


class ScriptedReplies:
    """Answers of the fake server per requested model: queued replies first, then a default."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[FakeReply]] = defaultdict(deque)
        self.always: dict[str, FakeReply] = {}

    def add(self, model: str, *replies: FakeReply) -> None:
        with self._lock:
            self._queues[model].extend(replies)

    def __call__(self, request: dict[str, Any]) -> FakeReply:
        model = str(request.get("model"))
        with self._lock:
            if self._queues[model]:
                return self._queues[model].popleft()
            if model in self.always:
                return self.always[model]
        return default_reply(request)


def endpoint(
    api: TestClient,
    key: str,
    name: str,
    *,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Register an endpoint: OpenAI-compatible when a base URL is given, else a demo model."""
    body: dict[str, Any] = {"name": name, "model": model or name, **extra}
    if base_url is None:
        body["kind"] = "demo"
    else:
        body.update(kind="openai", base_url=base_url)
    if api_key is not None:
        body["api_key"] = api_key
    answer = api.post("/v1/models", json=body, headers=headers(key))
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def comparison(api: TestClient, key: str, endpoint_ids: list[str], **extra: Any) -> str:
    """Create a comparison project; its id."""
    body = {"name": "Compare", "endpoint_ids": endpoint_ids, **extra}
    answer = api.post("/v1/comparisons", json=body, headers=headers(key))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def prompts(api: TestClient, key: str, project_id: str, texts: list[str]) -> list[str]:
    """Import prompts; the task ids."""
    body = {"prompts": [{"unique_id": f"p{i}", "prompt": t} for i, t in enumerate(texts)]}
    answer = api.post(f"/v1/comparisons/{project_id}/prompts", json=body, headers=headers(key))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["task_ids"])


def run_jobs(factory: SessionFactory, rounds: int = 1) -> RunReport:
    """Run every due job ``rounds`` times, as if each backoff had passed."""
    total = RunReport()
    for _ in range(rounds):
        report = run_due_jobs(factory, now=utcnow() + timedelta(days=1))
        total.done += report.done
        total.retried += report.retried
        total.failed += report.failed
    return total


def generations(api: TestClient, key: str, project_id: str) -> dict[str, Any]:
    """The project's generation status."""
    answer = api.get(f"/v1/projects/{project_id}/generations", headers=headers(key))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def lease(api: TestClient, key: str, project_id: str) -> dict[str, Any] | None:
    """The next task of the project for this worker, or None."""
    answer = api.post("/v1/work/next", json={"project_id": project_id}, headers=headers(key))
    if answer.status_code == 404:
        return None
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def preference(
    choice: str, strength: int = 2, reason: str = "Clearer and correct."
) -> dict[str, Any]:
    """A pairwise answer for the default comparison template (four axes, strength 1-3)."""
    axis = {"choice": choice, "strength": 1} if choice != "tie" else "tie"
    judgement: dict[str, Any] = {"choice": choice, "reason": reason}
    if choice != "tie":
        judgement["strength"] = strength
    judgement["axes"] = {
        name: axis for name in ("helpfulness", "honesty", "harmlessness", "instruction_following")
    }
    return {"preference": judgement}


def submit(api: TestClient, key: str, assignment_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Submit an answer; the stored response summary."""
    body = {"answer": answer, "active_time_ms": 30_000}
    result = api.post(f"/v1/work/{assignment_id}/submit", json=body, headers=headers(key))
    assert result.status_code in (200, 201), result.text
    return result.json()  # type: ignore[no-any-return]
