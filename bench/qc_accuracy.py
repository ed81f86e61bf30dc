"""Accuracy of every assay.quality method on every shared data set, beside Crowd-Kit and papers.

Run from the repository root: ``.venv/bin/python bench/qc_accuracy.py [--quick]``.

Crowd-Kit runs in its own virtualenv (``.peers/crowdkit-venv``, created on first use) as a
subprocess of this same script (``--crowdkit``), so both run in one bench run without
dependency conflicts. Prints JSON lines and writes ``bench/results/qc_accuracy.json``.

Data choices (the same for every method): repeated (task, worker) rows keep the last one;
metrics are computed on the items that have gold; CIFAR-10N's three label columns are three
anonymous "workers" (the README says they cannot be attributed to worker ids).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("ASSAY_SHARED_DATA", ROOT.parent / "shared" / "data"))
PEER_VENV = ROOT / ".peers" / "crowdkit-venv"
CROWDKIT_VERSION = "1.4.2"
RESULTS = ROOT / "bench" / "results" / "qc_accuracy.json"

# Published figures (../shared/data/README.md): Zheng et al. PVLDB 2017 Table 6 and the
# Crowd-Kit JOSS paper. Accuracy in %, MAE for N_Emotion.
PUBLISHED: dict[str, dict[str, float]] = {
    "zheng_d_product": {
        "MV": 89.66, "ZC": 92.80, "GLAD": 92.20, "D&S": 93.66, "Minimax": 84.09, "BCC": 93.78,
        "CBCC": 93.72, "LFC": 93.73, "CATD": 92.66, "PM": 89.81, "Multi": 88.67, "KOS": 89.55,
        "VI-BP": 64.64, "VI-MF": 83.91, "CK-MV": 89.7, "CK-Wawa": 89.7, "CK-DS": 94.0,
        "CK-GLAD": 92.8, "CK-KOS": 89.5, "CK-MACE": 92.9,
    },
    "zheng_s_rel": {
        "MV": 54.19, "ZC": 48.21, "GLAD": 53.59, "D&S": 61.30, "Minimax": 57.59, "BCC": 60.72,
        "CBCC": 56.05, "LFC": 61.64, "CATD": 45.32, "PM": 59.02, "CK-MV": 53.6,
        "CK-Wawa": 55.7, "CK-DS": 61.5, "CK-GLAD": 51.1, "CK-MACE": 50.1, "CK-M-MSR": 42.5,
    },
    "zheng_n_emotion": {"CATD": 16.36, "PM": 13.91, "LFC_N": 12.20, "Mean": 12.02, "Median": 13.53},
}


def _read(path: Path, **kwargs: Any) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kwargs)


def _zheng(name: str) -> tuple[pd.DataFrame, pd.Series]:
    answers = _read(DATA / name / "answer.csv").rename(
        columns={"question": "task", "answer": "label"}
    )
    truth = _read(DATA / name / "truth.csv")
    return answers[["task", "worker", "label"]], truth.set_index("question")["truth"]


def _zhang(name: str) -> tuple[pd.DataFrame, pd.Series]:
    crowd = _read(DATA / f"zhang_{name}" / f"{name}_crowd.txt", sep=r"\s+", header=None)
    crowd.columns = ["task", "worker", "label"]
    truth = _read(DATA / f"zhang_{name}" / f"{name}_truth.txt", sep=r"\s+", header=None)
    return crowd, truth.set_index(0)[1]


def _act(path: str) -> tuple[pd.DataFrame, pd.Series]:
    raw = _read(DATA / path, header=None)
    answers = pd.DataFrame({"task": raw[1], "worker": raw[0], "label": raw[2]})
    if path.endswith("MS.csv"):  # the file name gives the genre away: use opaque ids
        answers["task"] = "item" + pd.Series(pd.factorize(raw[1])[0]).astype(str)
    truth = pd.Series(raw[3].to_numpy(), index=answers["task"].to_numpy())
    return answers, truth[~truth.index.duplicated()]


def _gal() -> tuple[pd.DataFrame, pd.Series]:
    raw = _read(DATA / "gal_hitspam_crowdflower" / "labels.txt", sep="\t", header=None)
    answers = pd.DataFrame({"task": raw[1], "worker": raw[0], "label": raw[2]})
    gold = _read(DATA / "gal_hitspam_crowdflower" / "gold.txt", sep="\t", header=None)
    return answers, gold.set_index(0)[1]


def _cifar(limit: int | None) -> tuple[pd.DataFrame, pd.Series]:
    raw = _read(DATA / "cifar10n" / "CIFAR-10_human_labels.csv")
    if limit:
        raw = raw.iloc[:limit]
    parts = [
        pd.DataFrame({"task": raw["image_index"], "worker": f"slot{k}", "label": raw[column]})
        for k, column in enumerate(["random_label1", "random_label2", "random_label3"], 1)
    ]
    return pd.concat(parts, ignore_index=True), raw.set_index("image_index")["clean_label"]


CATEGORICAL: dict[str, Callable[[bool], tuple[pd.DataFrame, pd.Series]]] = {
    "zheng_d_product": lambda q: _zheng("zheng_d_product"),
    "zheng_s_rel": lambda q: _zheng("zheng_s_rel"),
    "zheng_d_duck": lambda q: _zheng("zheng_d_duck"),
    "zheng_s_dog": lambda q: _zheng("zheng_s_dog"),
    "zhang_rte": lambda q: _zhang("rte"),
    "zhang_trec": lambda q: _zhang("trec"),
    "act_cf": lambda q: _act("act_weather_sentiment/CF.csv"),
    "act_cf_amt": lambda q: _act("act_weather_sentiment/CF_amt.csv"),
    "act_ms": lambda q: _act("act_music_genre/MS.csv"),
    "gal_hitspam": lambda q: _gal(),
    "cifar10n": lambda q: _cifar(5000 if q else None),
}


def dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the last row of each (task, worker) pair, as assay.quality's front does."""
    return frame.drop_duplicates(["task", "worker"], keep="last").reset_index(drop=True)


def accuracy(predicted: pd.Series, truth: pd.Series) -> float:
    """Accuracy in % on the items with gold that were predicted."""
    common = truth.index.intersection(predicted.index)
    hits = predicted.loc[common].astype(str).to_numpy() == truth.loc[common].astype(str).to_numpy()
    return float(100.0 * hits.mean())


# --- Crowd-Kit side (runs inside the peer virtualenv; imports no assay) -------------------

CROWDKIT_METHODS = {
    "majority-vote": "MajorityVote()",
    "wawa": "Wawa()",
    "zbs": "ZeroBasedSkill()",
    "dawid-skene": "DawidSkene(n_iter=100)",
    "one-coin": "OneCoinDawidSkene(n_iter=100)",
    "glad": "GLAD()",
    "mace": "MACE()",
}


def crowdkit_worker(quick: bool, datasets: list[str]) -> None:
    """Run Crowd-Kit's same-named methods and print one JSON line per (data set, method)."""
    import warnings

    warnings.filterwarnings("ignore")
    from crowdkit import aggregation as ck

    for name in datasets:
        frame, truth = CATEGORICAL[name](quick)
        frame = dedupe(frame)
        for method, expr in CROWDKIT_METHODS.items():
            if quick and method == "glad" and len(frame) > 20000:
                continue
            model = eval(expr, vars(ck))  # fixed expressions from the table above
            started = time.perf_counter()
            try:
                predicted = model.fit_predict(frame)
                score: float | None = accuracy(predicted, truth)
                error = None
            except Exception as exc:  # report Crowd-Kit failures, do not stop the bench
                score, error = None, f"{type(exc).__name__}: {exc}"[:200]
            seconds = time.perf_counter() - started
            line = {"dataset": name, "method": method, "crowdkit": score, "seconds": seconds}
            if error:
                line["error"] = error
            print(json.dumps(line), flush=True)


def ensure_crowdkit_venv() -> Path:
    """Create the peer virtualenv with Crowd-Kit on first use; return its python."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import crowdkit"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"crowd-kit=={CROWDKIT_VERSION}"],
            check=True,
        )
    return python


def run_crowdkit(quick: bool, datasets: list[str]) -> list[dict[str, Any]]:
    """Run the Crowd-Kit side in the peer virtualenv and collect its JSON lines."""
    python = ensure_crowdkit_venv()
    command = [str(python), str(Path(__file__).resolve()), "--crowdkit", *datasets]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
