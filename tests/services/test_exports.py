from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assay.domain.enums import Role
from assay.errors import InvalidInput, NotFound, PermissionDenied
from assay.services import exports
from assay.services.actor import Actor
from assay.services.export_schema import RESPONSES_SCHEMA, RESULTS_SCHEMA
from assay.store import Session, make_engine, make_session_factory
from assay.store.models import Organisation
from tests.support.factories import (
    make_completed_task,
    make_organisation,
    make_project,
    make_response,
    make_result,
    make_review,
    make_task,
    make_worker,
)

SUGGESTION = {"model": "demo-1", "answer": {"sentiment": "neg"}}


@dataclass
class Project:
    """Three tasks: reviewed and aggregated, gold, and still open."""

    session: Session
    project_id: str
    requester: Actor
    reviewed_task: str
    gold_task: str
    open_task: str
    response_ids: list[str]


@pytest.fixture
def project(database_url: str) -> Iterator[Project]:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        org = make_organisation(session)
        ann, bob, rita = (make_worker(session, org) for _ in range(3))
        project = make_project(session, org)
        reviewed = make_task(session, project, unique_id="r-1", metadata_={"source": "shop"})
        first = make_response(
            session, reviewed, ann, model_suggestion=SUGGESTION, guideline_version=2
        )
        second = make_response(
            session, reviewed, bob, answer={"sentiment": "neu"}, telemetry={"pastes": 3}
        )
        make_review(session, first, rita, stage="review", verdict="accept", score=0.9)
        make_review(session, first, rita, stage="audit", verdict="reject", reason="Missed sarcasm")
        make_result(session, reviewed, [first], confidence=0.75, details={"votes": {"pos": 1}})
        gold = make_completed_task(
            session,
            project,
            [ann, bob],
            unique_id="g-1",
            is_gold=True,
            gold_answer={"sentiment": "pos"},
        )
        still_open = make_task(session, project, unique_id="o-1")
        lone = make_response(session, still_open, ann)
        session.commit()
        yield Project(
            session=session,
            project_id=project.id,
            requester=Actor(org_id=org.id, role=Role.REQUESTER, key_id="k"),
            reviewed_task=reviewed.id,
            gold_task=gold.id,
            open_task=still_open.id,
            response_ids=[first.id, second.id, lone.id],
        )
    engine.dispose()


def export_bytes(p: Project, fmt: str, kind: str, actor: Actor | None = None) -> bytes:
    return b"".join(
        exports.export_project(p.session, actor or p.requester, p.project_id, fmt, kind)
    )


def test_results_jsonl_round_trip_carries_provenance(project: Project) -> None:
    lines = export_bytes(project, "jsonl", "results").decode().splitlines()
    rows = {row["task_id"]: row for row in map(json.loads, lines)}
    assert set(rows) == {project.reviewed_task, project.gold_task}

    reviewed = rows[project.reviewed_task]
    assert reviewed["unique_id"] == "r-1" and reviewed["metadata"] == {"source": "shop"}
    assert reviewed["result"]["method"] == "majority_vote"
    assert reviewed["result"]["method_version"] == "1"
    assert reviewed["result"]["confidence"] == 0.75
    assert reviewed["result"]["response_ids"] == [project.response_ids[0]]
    first, second = reviewed["responses"]
    assert first["guideline_version"] == 2 and first["model_suggestion"] == SUGGESTION
    assert first["active_time_ms"] == 12_000 and second["telemetry"] == {"pastes": 3}
    assert [(r["stage"], r["verdict"]) for r in first["reviews"]] == [
        ("review", "accept"),
        ("audit", "reject"),
    ]
    assert first["reviews"][1]["reason"] == "Missed sarcasm"
    assert second["reviews"] == []
    assert datetime.fromisoformat(first["created_at"]).tzinfo is not None
    assert "gold_answer" not in reviewed
    assert rows[project.gold_task]["gold_answer"] == {"sentiment": "pos"}


def test_responses_jsonl_has_one_row_per_response(project: Project) -> None:
    lines = export_bytes(project, "jsonl", "responses").decode().splitlines()
    rows = [json.loads(line) for line in lines]
    by_id = {row["response_id"]: row for row in rows}
    assert len(rows) == 5
    first, second, lone = (by_id[i] for i in project.response_ids)
    assert first["in_result"] and not second["in_result"] and not lone["in_result"]
    assert lone["task_id"] == project.open_task and lone["task_payload"] == {
        "review": "Great value."
    }
    assert len(first["reviews"]) == 2 and first["worker_id"] != second["worker_id"]


def read_parquet(data: bytes) -> pa.Table:
    return pq.read_table(pa.BufferReader(data))


def test_results_parquet_reads_back_with_the_documented_schema(project: Project) -> None:
    table = read_parquet(export_bytes(project, "parquet", "results"))
    assert table.schema.equals(RESULTS_SCHEMA)
    rows = {row["task_id"]: row for row in table.to_pylist()}
    reviewed = rows[project.reviewed_task]
    assert json.loads(reviewed["result_answer"]) == {"sentiment": "pos"}
    assert json.loads(reviewed["result_details"]) == {"votes": {"pos": 1}}
    assert reviewed["result_method"] == "majority_vote"
    first = reviewed["responses"][0]
    assert json.loads(first["model_suggestion"]) == SUGGESTION
    assert first["guideline_version"] == 2
    assert [r["verdict"] for r in first["reviews"]] == ["accept", "reject"]
    assert reviewed["gold_answer"] is None
    assert json.loads(rows[project.gold_task]["gold_answer"]) == {"sentiment": "pos"}
    assert reviewed["created_at"].tzinfo is not None


def test_responses_parquet_row_groups(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "ROW_GROUP_ROWS", 2)
    seen: list[int] = []
    chunks = exports.export_project(
        project.session,
        project.requester,
        project.project_id,
        "parquet",
        "responses",
        on_rows=seen.append,
    )
    data = b"".join(chunks)
    assert seen == [2, 2, 1]
    parquet = pq.ParquetFile(pa.BufferReader(data))
    assert parquet.metadata.num_row_groups == 3
    table = parquet.read()
    assert table.schema.equals(RESPONSES_SCHEMA) and table.num_rows == 5
    response_ids = table.column("response_id").to_pylist()
    assert len(set(response_ids)) == 5 and set(project.response_ids) <= set(response_ids)
    in_result = dict(zip(response_ids, table.column("in_result").to_pylist(), strict=True))
    assert in_result[project.response_ids[0]] and not in_result[project.response_ids[1]]


def test_jsonl_progress_is_reported_per_chunk(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "JSONL_CHUNK_BYTES", 1)
    seen: list[int] = []
    chunks = list(
        exports.export_project(
            project.session,
            project.requester,
            project.project_id,
            "jsonl",
            "responses",
            on_rows=seen.append,
        )
    )
    assert len(chunks) == 5 and seen == [1] * 5
    assert (
        exports.count_export_rows(
            project.session, project.requester, project.project_id, "responses"
        )
        == 5
    )
    assert (
        exports.count_export_rows(project.session, project.requester, project.project_id, "results")
        == 2
    )


@pytest.mark.parametrize("role", [Role.WORKER, Role.REVIEWER])
def test_workers_and_reviewers_may_not_export(project: Project, role: Role) -> None:
    actor = Actor(org_id=project.requester.org_id, role=role, key_id="w", worker_id="wrk")
    with pytest.raises(PermissionDenied):
        exports.export_project(project.session, actor, project.project_id, "jsonl", "results")


def test_another_organisation_gets_not_found(project: Project) -> None:
    stranger = Actor(org_id="org_someone_else", role=Role.ADMIN, key_id="x")
    with pytest.raises(NotFound):
        exports.export_project(project.session, stranger, project.project_id, "jsonl", "results")


def test_unknown_format_or_kind_is_invalid(project: Project) -> None:
    for fmt, kind in (("csv", "results"), ("jsonl", "labels")):
        with pytest.raises(InvalidInput):
            exports.export_project(
                project.session, project.requester, project.project_id, fmt, kind
            )


def test_an_empty_project_exports_valid_empty_files(project: Project) -> None:
    org = project.session.get_one(Organisation, project.requester.org_id)
    empty = make_project(project.session, org)
    project.session.commit()
    assert (
        b"".join(
            exports.export_project(project.session, project.requester, empty.id, "jsonl", "results")
        )
        == b""
    )
    data = b"".join(
        exports.export_project(project.session, project.requester, empty.id, "parquet", "responses")
    )
    table = read_parquet(data)
    assert table.num_rows == 0 and table.schema.equals(RESPONSES_SCHEMA)


def test_system_actor_is_an_admin_of_the_owning_organisation(project: Project) -> None:
    actor = exports.system_actor_for_project(project.session, project.project_id)
    assert (actor.org_id, actor.role) == (project.requester.org_id, Role.ADMIN)
    with pytest.raises(NotFound):
        exports.system_actor_for_project(project.session, "prj_missing")
