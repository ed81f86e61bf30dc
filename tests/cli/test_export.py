from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import typer
from typer.testing import CliRunner

from assay.cli.export import export
from assay.store import make_engine, make_session_factory
from tests.support.factories import (
    make_completed_task,
    make_organisation,
    make_project,
    make_worker,
)

app = typer.Typer()
app.command()(export)


def seed(database_url: str) -> str:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        org = make_organisation(session)
        workers = [make_worker(session, org) for _ in range(3)]
        project = make_project(session, org, redundancy=3)
        for i in range(4):
            make_completed_task(session, project, workers, unique_id=f"t{i}")
        session.commit()
        project_id = project.id
    engine.dispose()
    return project_id


def test_export_writes_jsonl_and_parquet_files(database_url: str, tmp_path: Path) -> None:
    project_id = seed(database_url)
    runner = CliRunner()
    jsonl = tmp_path / "out" / "results.jsonl"
    jsonl.parent.mkdir()
    done = runner.invoke(app, [project_id, "-o", str(jsonl), "--db", database_url])
    assert done.exit_code == 0, done.output
    assert "Wrote 4 results rows" in done.output
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert sorted(r["unique_id"] for r in rows) == ["t0", "t1", "t2", "t3"]

    parquet = tmp_path / "out" / "responses.parquet"
    args = [project_id, "--format", "parquet", "--kind", "responses", "-o", str(parquet)]
    done = runner.invoke(app, [*args, "--db", database_url])
    assert done.exit_code == 0, done.output
    assert pq.read_table(parquet).num_rows == 12
    assert sorted(p.name for p in parquet.parent.iterdir()) == [
        "responses.parquet",
        "results.jsonl",
    ]


def test_unknown_project_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = CliRunner().invoke(app, ["prj_nope", "-o", str(out / "x.jsonl"), "--db", database_url])
    assert done.exit_code == 1
    assert "No project 'prj_nope'" in done.output
    assert list(out.iterdir()) == []
