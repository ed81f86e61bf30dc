"""ASSAY_RANDOM_SEED: a server's draws (here gold injection) repeat exactly run after run."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assay.api.app import create_app
from assay.config import Settings
from tests.support.api import make_keys, post_ok, sentiment_project, sentiment_tasks
from tests.support.databases import DatabaseTemplate

CLAIMS = 24


def _gold_pattern(template: DatabaseTemplate, directory: Path, seed: int | None) -> list[bool]:
    """Which of a worker's successive leases were gold, on a fresh server seeded with ``seed``."""
    directory.mkdir()
    settings = Settings(
        database_url=template.fresh(directory), data_dir=directory / "data", random_seed=seed
    )
    keys = make_keys(settings, worker_count=1)
    with TestClient(create_app(settings)) as client:
        project = post_ok(
            client, keys.requester, "/v1/projects", sentiment_project(gold_rate=0.5, redundancy=1)
        )
        gold = [
            {
                "unique_id": f"g{i}",
                "payload": {"review": f"gold {i}"},
                "gold_answer": {"sentiment": "pos"},
            }
            for i in range(CLAIMS)
        ]
        tasks = {"tasks": [*sentiment_tasks(CLAIMS), *gold]}
        post_ok(client, keys.requester, f"/v1/projects/{project['id']}/tasks", tasks)
        pattern = []
        for _ in range(CLAIMS):
            lease = post_ok(client, keys.workers[0], "/v1/work/next", {})
            pattern.append(lease["task"]["payload"]["review"].startswith("gold"))
            answer = {"answer": {"sentiment": "pos"}}
            post_ok(client, keys.workers[0], f"/v1/work/{lease['id']}/submit", answer)
    return pattern


def test_the_same_seed_serves_gold_in_the_same_order_and_another_seed_does_not(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    template: DatabaseTemplate = request.getfixturevalue("_sqlite_template")
    first = _gold_pattern(template, tmp_path / "first", seed=7)
    again = _gold_pattern(template, tmp_path / "again", seed=7)
    other = _gold_pattern(template, tmp_path / "other", seed=8)
    assert first == again
    assert 0 < sum(first) < CLAIMS  # both kinds were served, so the order says something
    assert other != first
