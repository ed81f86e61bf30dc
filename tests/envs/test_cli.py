from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assay.cli.envs import app
from tests.support import FakeOpenAI, FakeReply

runner = CliRunner()


def test_list_prints_every_bundled_task() -> None:
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0
    tasks = [json.loads(line) for line in result.output.splitlines()]
    assert len(tasks) >= 30 and {"id", "category", "title", "needs_fallback"} <= set(tasks[0])
    hiring = runner.invoke(app, ["list", "--category", "hiring"])
    assert (
        hiring.exit_code == 0
        and "hire-brief-priya" in hiring.output
        and "eng-" not in hiring.output
    )


def test_run_reports_scores_per_episode(tmp_path: Path) -> None:
    export = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["run", "support", "--faults", "--agent", "naive", "--json", "--export", str(export)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    by_task = {line["task_id"]: line["score"] for line in lines}
    assert by_task["sup-retention-answer"] == 1.0 and by_task["sup-eu-degraded"] == 0.0
    assert len(export.read_text().splitlines()) == len(lines)


def test_run_prints_a_table_and_a_summary() -> None:
    result = runner.invoke(app, ["run", "eng-fix-tax-rounding", "--runs", "2"])
    assert result.exit_code == 0, result.output
    assert "eng-fix-tax" in result.output and "mean score 1.000" in result.output


def test_run_drives_a_model_endpoint() -> None:
    with FakeOpenAI() as fake:
        fake.enqueue(
            FakeReply(tool_calls=[{"name": "finish", "arguments": {"summary": "nothing"}}])
        )
        result = runner.invoke(
            app,
            [
                "run",
                "sup-retention-answer",
                "--agent",
                "model",
                "--model",
                "fake-model",
                "--base-url",
                fake.base_url,
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["score"] == 0.0 and len(fake.requests) == 1


def test_bad_input_exits_with_an_error() -> None:
    assert runner.invoke(app, ["run", "no-such-task"]).exit_code == 2
    assert runner.invoke(app, ["run", "sup-retention-answer", "--agent", "model"]).exit_code == 2
    assert runner.invoke(app, ["run", "sup-retention-answer", "--agent", "genius"]).exit_code == 2
    assert runner.invoke(app, ["serve", "--mcp"]).exit_code == 2
