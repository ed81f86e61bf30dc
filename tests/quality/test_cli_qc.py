"""`assay qc` end to end through Typer's runner."""

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from assay.cli.qc import app

from .synthetic import dawid_skene_data

runner = CliRunner()


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_aggregate_every_categorical_method_writes_task_label_confidence(tmp_path):
    data = dawid_skene_data(seed=0, n_tasks=60, n_workers=6, per_task=3)
    frame = pd.DataFrame(
        {
            "task": [f"t{t}" for t in data.task_idx],
            "worker": [f"w{w}" for w in data.worker_idx],
            "label": [f"класс {y}" for y in data.label_idx],
        }
    )
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    for method in [
        "majority-vote",
        "wawa",
        "zbs",
        "dawid-skene",
        "one-coin",
        "glad",
        "mace",
        "bayesian-ds",
    ]:
        out = tmp_path / f"{method}.csv"
        result = runner.invoke(app, ["aggregate", "--method", method, str(source), "-o", str(out)])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out, dtype={"label": str})
        assert list(table.columns) == ["task", "label", "confidence"]
        assert len(table) == 60 and table["label"].str.startswith("класс").all()
        assert table["confidence"].between(0, 1).all()


def test_aggregate_to_stdout_keeps_labels_as_strings(tmp_path):
    source = _write(tmp_path / "in.csv", "task,worker,label\nt1,a,007\nt1,b,007\nt1,c,7\n")
    result = runner.invoke(app, ["aggregate", "--method", "majority-vote", source])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("t1,007,")


def test_numeric_aggregation(tmp_path):
    source = _write(tmp_path / "in.csv", "task,worker,label\nt1,a,1\nt1,b,3\nt2,a,10\nt2,b,12\n")
    for method in ["mean", "median", "bias-variance"]:
        result = runner.invoke(app, ["aggregate", "--method", method, source])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(pd.io.common.StringIO(result.stdout))
        np.testing.assert_allclose(table["label"], [2.0, 11.0], atol=1e-6)


def test_rank_with_bootstrap(tmp_path):
    rows = ["worker,left,right,label"]
    rng = np.random.default_rng(0)
    for k in range(300):
        left, right = rng.choice(["甲", "b", "c"], 2, replace=False)
        winner = min(left, right) if rng.random() < 0.8 else ("" if rng.random() < 0.5 else right)
        rows.append(f"w{k % 7},{left},{right},{winner}")
    source = _write(tmp_path / "votes.csv", "\n".join(rows) + "\n")
    for method in ["bradley-terry", "davidson", "noisy-bt"]:
        result = runner.invoke(app, ["rank", "--method", method, "--bootstrap", "50", source])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(pd.io.common.StringIO(result.stdout))
        assert list(table.columns) == ["item", "score", "ci_low", "ci_high"]
        assert set(table["item"]) == {"甲", "b", "c"}


def test_agreement_prints_the_value(tmp_path):
    source = _write(
        tmp_path / "in.csv", "task,worker,label\n0,a,x\n0,b,x\n1,a,x\n1,b,y\n2,a,y\n2,b,y\n"
    )
    alpha = runner.invoke(app, ["agreement", "--metric", "krippendorff-alpha", source])
    assert alpha.exit_code == 0
    assert float(alpha.stdout) == np.round(4 / 9, 6)
    kappa = runner.invoke(app, ["agreement", "--metric", "fleiss-kappa", source])
    assert kappa.exit_code == 0 and -1 <= float(kappa.stdout) <= 1


def test_empty_input_is_a_clear_error_not_a_traceback(tmp_path):
    source = _write(tmp_path / "in.csv", "task,worker,label\n")
    result = runner.invoke(app, ["aggregate", source])
    assert result.exit_code == 2
    assert "empty" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["aggregate", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    blank = _write(tmp_path / "blank.csv", "task,worker,label\nt1,a,\n")
    result = runner.invoke(app, ["aggregate", blank])
    assert result.exit_code == 2 and "empty" in result.output


def test_help_documents_the_duplicate_rule():
    result = runner.invoke(app, ["aggregate", "--help"])
    assert "the last one is kept" in " ".join(result.output.split())
