from __future__ import annotations

import json
from pathlib import Path

import datasets
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assay.cli.training import app
from assay.store import SessionFactory
from tests.rlhf.flows import comparison, endpoint, lease, preference, prompts, run_jobs, submit
from tests.support.api import Keys


def test_the_cli_writes_jsonl_and_a_dataset_directory(
    api: TestClient, keys: Keys, factory: SessionFactory, database_url: str, tmp_path: Path
) -> None:
    ids = [endpoint(api, keys.requester, name)["id"] for name in ("concise", "thorough")]
    project_id = comparison(api, keys.requester, ids, redundancy=1)
    prompts(api, keys.requester, project_id, ["Why do cats purr?"])
    run_jobs(factory)
    leased = lease(api, keys.workers[0], project_id)
    assert leased is not None
    submit(api, keys.workers[0], leased["id"], preference("B"))

    runner = CliRunner()
    jsonl = tmp_path / "sft.jsonl"
    base = ["export", project_id, "--db", database_url, "--format"]
    written = runner.invoke(app, [*base, "sft-messages", "-o", str(jsonl)])
    assert written.exit_code == 0, written.output
    (row,) = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert row["messages"][-1]["role"] == "assistant" and row["rater_ids"]
    saved = runner.invoke(app, [*base, "trl-kto", "-o", str(tmp_path / "kto"), "--hf"])
    assert saved.exit_code == 0, saved.output
    assert sorted(datasets.load_from_disk(str(tmp_path / "kto"))["label"]) == [False, True]
    wrong = runner.invoke(app, [*base, "csv", "-o", str(tmp_path / "x")])
    assert wrong.exit_code == 1 and "Unknown training format" in wrong.output
