from __future__ import annotations

import json
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.api.routes import exports
from assay.config import Settings
from assay.store import make_engine, make_session_factory
from assay.store.models import Organisation
from tests.support.api import Keys, headers
from tests.support.factories import make_completed_task, make_project, make_worker
from tests.support.routers import app_with


@pytest.fixture
def export_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(app_with(settings, exports.router)) as client:
        yield client


@pytest.fixture
def project_id(settings: Settings, keys: Keys) -> str:
    """An acme project with three completed tasks."""
    engine = make_engine(settings.resolved_database_url())
    with make_session_factory(engine)() as session:
        acme = session.scalars(select(Organisation).where(Organisation.name == "acme")).one()
        workers = [make_worker(session, acme) for _ in range(2)]
        project = make_project(session, acme)
        for i in range(3):
            make_completed_task(session, project, workers, unique_id=f"t{i}")
        session.commit()
        found = project.id
    engine.dispose()
    return found


def test_jsonl_export_streams_with_a_filename(
    export_client: TestClient, keys: Keys, project_id: str
) -> None:
    answer = export_client.get(f"/v1/projects/{project_id}/export", headers=headers(keys.requester))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-ndjson"
    assert f'filename="{project_id}-results.jsonl"' in answer.headers["content-disposition"]
    rows = [json.loads(line) for line in answer.text.splitlines()]
    assert sorted(r["unique_id"] for r in rows) == ["t0", "t1", "t2"]
    assert all(r["result"]["method"] == "majority_vote" for r in rows)
    assert all(len(r["responses"]) == 2 for r in rows)


def test_parquet_export_of_responses(
    export_client: TestClient, keys: Keys, project_id: str
) -> None:
    answer = export_client.get(
        f"/v1/projects/{project_id}/export",
        params={"format": "parquet", "kind": "responses"},
        headers=headers(keys.admin),
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(pa.BufferReader(answer.content))
    assert table.num_rows == 6
    assert set(table.column("guideline_version").to_pylist()) == {1}


def test_export_refusals(export_client: TestClient, keys: Keys, project_id: str) -> None:
    path = f"/v1/projects/{project_id}/export"
    other = export_client.get(path, headers=headers(keys.other_requester))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    worker = export_client.get(path, headers=headers(keys.workers[0]))
    assert worker.status_code == 403
    assert worker.json()["error"]["code"] == "permission_denied"
    assert export_client.get(path, headers=headers(keys.reviewer)).status_code == 403
    bad = export_client.get(path, params={"format": "csv"}, headers=headers(keys.requester))
    assert bad.status_code == 422
    assert export_client.get(path).status_code == 401
