"""An in-process app with API keys for two organisations, for API tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from assay.config import Settings
from assay.services.keys import create_api_key
from assay.store import make_engine, make_session_factory


@dataclass(frozen=True)
class Keys:
    """Plaintext keys: ``acme`` is the main organisation, ``globex`` the other tenant."""

    requester: str
    admin: str
    workers: list[str]
    reviewer: str
    other_requester: str
    other_worker: str


def headers(key: str) -> dict[str, str]:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {key}"}


def post_ok(client: TestClient, key: str, url: str, body: Any = None) -> Any:
    """POST ``body`` (``{}`` when None) with ``key``, assert it succeeded, return the JSON."""
    answer = client.post(url, json=body if body is not None else {}, headers=headers(key))
    assert answer.status_code < 300, answer.text
    return answer.json()


def settings_for(database_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at a test database and a private data directory."""
    return Settings(database_url=database_url, data_dir=tmp_path / "data")


def make_keys(settings: Settings, worker_count: int = 4) -> Keys:
    """Keys of every role in ``acme`` and a requester and a worker in ``globex``."""
    engine = make_engine(settings.resolved_database_url())
    factory = make_session_factory(engine)

    def key(org: str, role: str, name: str = "") -> str:
        with factory() as session:
            return create_api_key(session, org_name=org, role=role, name=name).secret

    keys = Keys(
        requester=key("acme", "requester"),
        admin=key("acme", "admin"),
        workers=[key("acme", "worker", f"worker-{i}") for i in range(worker_count)],
        reviewer=key("acme", "reviewer", "reviewer-0"),
        other_requester=key("globex", "requester"),
        other_worker=key("globex", "worker", "globex-worker"),
    )
    engine.dispose()
    return keys


SENTIMENT_TEMPLATE = {
    "fields": [{"kind": "text", "name": "review"}],
    "questions": [
        {
            "type": "label",
            "name": "sentiment",
            "prompt": "Sentiment?",
            "options": [{"value": "pos"}, {"value": "neu"}, {"value": "neg"}],
        }
    ],
}


def sentiment_project(**overrides: object) -> dict[str, object]:
    """A small labelling project body."""
    body: dict[str, object] = {"name": "Sentiment", "template": SENTIMENT_TEMPLATE, "redundancy": 3}
    body.update(overrides)
    return body


def sentiment_tasks(count: int, prefix: str = "t") -> list[dict[str, object]]:
    """Tasks fitting the sentiment template."""
    return [
        {"unique_id": f"{prefix}{i}", "payload": {"review": f"Review {i}"}} for i in range(count)
    ]
