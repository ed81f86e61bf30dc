"""Wall time and peak memory of assay.quality against Crowd-Kit and scikit-learn, same machine.

Run from the repository root: ``.venv/bin/python bench/qc_speed.py [--quick]``.

Every measurement runs in its own subprocess (Crowd-Kit's in ``.peers/crowdkit-venv``, made
on first use by ``bench/qc_accuracy.py``'s helper), on synthetic data that both sides
generate identically from a seed. Time is measured without tracing; peak memory is a second
run under ``tracemalloc`` (numpy and pandas report their buffers to it), counted from the
moment the input DataFrame exists. Prints JSON lines and writes ``bench/results/qc_speed.json``.

The machine is shared: each line carries the 1-minute load average, and ``cpu_seconds``
(process time) next to wall time, which is the fairer clock when others are busy. The
Dawid-Skene runs to convergence are timed three times per tool (after the same warm-up), in
two turns that alternate the tools, and report the fastest, with every time in
``all_seconds``; the long runs are timed once.

Data: categorical labels from a Dawid-Skene model with 4 classes, 5 labels per task and
``max(50, n / 1000)`` workers (per-class accuracy 0.35-0.85, structured errors); pairwise
votes over 100 items from Bradley-Terry with 10% ties and 1,000 workers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "qc_speed.json"


def labels_frame(n_labels: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Synthetic labels from a Dawid-Skene model, and the planted truth.

    4 classes, 5 labels per task, ``max(50, n / 1000)`` workers; each worker's confusion row
    for class c puts U(0.35, 0.85) on c and spreads the rest by a Dirichlet(1) draw.
    """
    rng = np.random.default_rng(seed)
    k, per_task = 4, 5
    n_tasks, n_workers = n_labels // per_task, max(50, n_labels // 1000)
    truth = rng.integers(0, k, n_tasks)
    right = rng.uniform(0.35, 0.85, (n_workers, k))
    spread = rng.dirichlet(np.ones(k - 1), (n_workers, k)) * (1 - right)[:, :, None]
    confusion = np.empty((n_workers, k, k))
    for c in range(k):
        confusion[:, c, :] = np.insert(spread[:, c, :], c, right[:, c], axis=1)
    tasks = np.repeat(np.arange(n_tasks), per_task)
    workers = rng.integers(0, n_workers, tasks.size)
    cumulative = confusion[workers, truth[tasks]].cumsum(axis=1)
    labels = np.minimum((rng.random(tasks.size)[:, None] > cumulative).sum(axis=1), k - 1)
    frame = pd.DataFrame({"task": tasks, "worker": workers, "label": labels})
    frame = frame.drop_duplicates(["task", "worker"], keep="last").reset_index(drop=True)
    return frame, truth


def votes_frame(n_votes: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic pairwise votes: worker, left, right, label (winner; empty for a tie)."""
    rng = np.random.default_rng(seed)
    n_items = 100
    theta = rng.normal(0, 1, n_items)
    left = rng.integers(0, n_items, n_votes)
    right = rng.integers(0, n_items - 1, n_votes)
    right = right + (right >= left)
    p_left = 0.9 / (1 + np.exp(-(theta[left] - theta[right])))
    u = rng.random(n_votes)
    names = np.array([f"model-{i:03d}" for i in range(n_items)], dtype=object)
    label = np.where(u < p_left, names[left], np.where(u < 0.9, names[right], ""))
    return pd.DataFrame(
        {
            "worker": rng.integers(0, 1000, n_votes),
            "left": names[left],
            "right": names[right],
            "label": label,
        }
    )


# --- what each measurement runs (inside the worker process) -------------------------------


def run_crowdkit(method: str, frame: pd.DataFrame, options: dict[str, Any]) -> Any:
    from crowdkit import aggregation as ck

    models = {
        "dawid-skene": ck.DawidSkene,
        "glad": ck.GLAD,
        "mace": ck.MACE,
        "majority-vote": ck.MajorityVote,
        "one-coin": ck.OneCoinDawidSkene,
    }
    if method == "bradley-terry":
        return ck.BradleyTerry(n_iter=100).fit_predict(frame[frame["label"] != ""])
    return models[method](**options).fit_predict(frame)


def run_sklearn_bt(frame: pd.DataFrame, rounds: int) -> None:
    """The leaderboard recipe: logistic regression on vote rows, bootstrap by resampling rows."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    items, codes = np.unique(np.concatenate([frame["left"], frame["right"]]), return_inverse=True)
    n = len(frame)
    left, right = codes[:n], codes[n:]
    tie = (frame["label"] == "").to_numpy()
    win = (frame["label"] == frame["left"]).to_numpy()
    # a tie counts as one win for each side (two rows), as the public notebooks do
    rows = np.concatenate([np.arange(n), np.flatnonzero(tie) + n])
    base_left = np.concatenate([left, left[tie]])
    base_right = np.concatenate([right, right[tie]])
    y = np.concatenate([win | tie, np.zeros(tie.sum(), bool)]).astype(int)
    m = rows.size
    design = sp.csr_array(
        (
            np.concatenate([np.ones(m), -np.ones(m)]),
            (np.tile(np.arange(m), 2), np.concatenate([base_left, base_right])),
        ),
        shape=(m, items.size),
    )
    rng = np.random.default_rng(0)
    for k in range(rounds + 1):
        pick = np.arange(m) if k == 0 else rng.integers(0, m, m)
        LogisticRegression(fit_intercept=False, C=1e6, tol=1e-6, max_iter=200).fit(
            design[pick], y[pick]
        )


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in this process and return its numbers."""
    import warnings

    warnings.filterwarnings("ignore")
    pairwise = spec["method"] == "bradley-terry" or spec["tool"] == "sklearn"
    if pairwise:
        frame, truth = votes_frame(spec["size"]), None
    else:
        frame, truth = labels_frame(spec["size"])
    # warm up on a small slice so one-time imports are not measured (same for every tool)
    small = votes_frame(2000) if pairwise else labels_frame(2000)[0]
    _run({**spec, "rounds": min(spec.get("rounds", 0), 2)}, small)
    if spec.get("memory"):
        tracemalloc.start()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
    runs = []  # (wall, cpu) per run; the fastest is the method's, the rest was the neighbours'
    for _ in range(1 if spec.get("memory") else spec.get("repeats", 1)):
        started, cpu = time.perf_counter(), time.process_time()
        result = _run(spec, frame)
        runs.append((time.perf_counter() - started, time.process_time() - cpu))
    seconds, cpu = min(runs)
    out: dict[str, Any] = {**spec, "seconds": seconds, "cpu_seconds": cpu}
    if len(runs) > 1:
        out["all_seconds"] = [round(wall, 4) for wall, _ in runs]
    if spec.get("memory"):
        out["peak_mb"] = (tracemalloc.get_traced_memory()[1] - before) / 2**20
        tracemalloc.stop()
    if truth is not None and result is not None:
        predicted = pd.Series(result)
        out["accuracy"] = float((predicted.sort_index().to_numpy() == truth).mean() * 100)
    return out


def _run(spec: dict[str, Any], frame: pd.DataFrame) -> Any:
    if spec["tool"] == "assay":
        return _assay_labels(spec, frame)
    if spec["tool"] == "crowdkit":
        return run_crowdkit(spec["method"], frame, spec.get("options", {}))
    run_sklearn_bt(frame, spec.get("rounds", 0))
    return None


def _assay_labels(spec: dict[str, Any], frame: pd.DataFrame) -> Any:
    from assay.quality import GLAD, MACE, BradleyTerry, DawidSkene, MajorityVote

    if spec["method"] == "bradley-terry":
        model = BradleyTerry().fit_frame(frame)
        if spec.get("rounds"):
            model.bootstrap(spec["rounds"])
        return None
    models = {"dawid-skene": DawidSkene, "glad": GLAD, "mace": MACE, "majority-vote": MajorityVote}
    return models[spec["method"]](**spec.get("options", {})).fit_predict(frame)


# --- the driver ---------------------------------------------------------------------------


def measure(spec: dict[str, Any], timeout: float = 3600) -> dict[str, Any]:
    """Run ``spec`` in a fresh interpreter (the right venv), once for time, once for memory."""
    if spec["tool"] == "crowdkit":
        sys.path.insert(0, str(ROOT / "bench"))
        from qc_accuracy import ensure_crowdkit_venv

        python = str(ensure_crowdkit_venv())
    else:
        python = str(ROOT / ".venv" / "bin" / "python")
    result: dict[str, Any] = {}
    for memory in [False, True] if spec.get("with_memory", True) else [False]:
        payload = json.dumps({**spec, "memory": memory})
        done = subprocess.run(
            [python, str(Path(__file__).resolve()), "--worker", payload],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_ONE_BLAS_THREAD,
        )
        if done.returncode != 0:
            return {**spec, "error": done.stderr.strip().splitlines()[-1:]}
        line = json.loads(done.stdout.strip().splitlines()[-1])
        result.update(line if not memory else {"peak_mb": line["peak_mb"]})
        if not memory:
            result["load_average"] = _load()
    result.pop("memory", None)
    print(json.dumps(result), flush=True)
    return result


def measure_in_turns(specs: list[dict[str, Any]], turns: int = 2) -> list[dict[str, Any]]:
    """Measure ``specs`` round-robin ``turns`` times and keep each one's fastest.

    The machine's speed drifts by a quarter within minutes; taking turns puts every tool
    through the same slow and fast spells, so the ratio measures the tools, not the spell.
    """
    best: list[dict[str, Any]] = []
    for turn in range(turns):
        for index, spec in enumerate(specs):
            result = measure({**spec, "with_memory": turn == 0 and spec.get("with_memory", True)})
            if turn == 0:
                best.append(result)
                continue
            kept = best[index]
            if "seconds" not in result or "seconds" not in kept:
                continue
            times = [*kept.get("all_seconds", []), *result.get("all_seconds", [])]
            if result["seconds"] < kept["seconds"]:
                kept.update(seconds=result["seconds"], cpu_seconds=result["cpu_seconds"])
            kept["all_seconds"] = times
    return best


# Every tool's numpy runs its BLAS on one thread: on a shared 2-core machine a threaded BLAS
# call on a small matrix can stall for tens of milliseconds waiting for the busy core, which
# would measure the neighbours rather than the method.
_ONE_BLAS_THREAD = {
    **os.environ,
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def _load() -> float:
    """The 1-minute load average: the machine is shared, so say how busy it was."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def plan(quick: bool) -> list[dict[str, Any]]:
    """The measurements: sizes shrink with --quick."""
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    mid = 10_000 if quick else 100_000
    specs: list[dict[str, Any]] = []
    for size in sizes:
        for tool in ("assay", "crowdkit"):
            # Best of three for both tools: one run on a shared machine measures the neighbours
            # as much as the method (seconds for Crowd-Kit at 1M, so three runs stay cheap).
            specs.append({"tool": tool, "method": "dawid-skene", "size": size, "repeats": 3})
    forced = {"assay": {"n_iter": 100, "tol": -1.0}, "crowdkit": {"n_iter": 100, "tol": -1.0}}
    for tool in ("assay", "crowdkit"):
        specs.append(
            {
                "tool": tool,
                "method": "dawid-skene",
                "size": sizes[-1],
                "options": forced[tool],
                "label": "100 iterations",
                "with_memory": False,
            }
        )
        specs.append({"tool": tool, "method": "glad", "size": mid, "with_memory": False})
        specs.append({"tool": tool, "method": "mace", "size": mid, "with_memory": False})
    votes = [100_000] if quick else [100_000, 1_000_000]
    for size in votes:
        specs.append({"tool": "assay", "method": "bradley-terry", "size": size, "rounds": 1000})
        specs.append(
            {
                "tool": "assay",
                "method": "bradley-terry",
                "size": size,
                "label": "fit only, no intervals",
            }
        )
        specs.append(
            {
                "tool": "crowdkit",
                "method": "bradley-terry",
                "size": size,
                "label": "fit only, no intervals",
            }
        )
        rounds = 100 if size <= 100_000 else 10
        specs.append(
            {
                "tool": "sklearn",
                "method": "bradley-terry",
                "size": size,
                "rounds": rounds,
                "with_memory": False,
            }
        )
    return specs


def ratios(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Crowd-Kit (or sklearn) time over Assay time for each matched measurement."""

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["method"], r["size"], r.get("label", ""))

    assay = {key(r): r for r in results if r["tool"] == "assay" and "seconds" in r}
    out = {}
    for r in results:
        if r["tool"] == "assay" or "seconds" not in r:
            continue
        match = assay.get(key(r)) or assay.get((r["method"], r["size"], ""))
        if not match:
            continue
        seconds = r["seconds"]
        if r["tool"] == "sklearn":  # per bootstrap round, scaled to Assay's 1,000 rounds
            seconds = r["seconds"] / (r["rounds"] + 1) * 1001
        name = f"{r['method']} {r['size']:,} {r.get('label', '')}".strip() + f" vs {r['tool']}"
        entry = {"time_ratio": seconds / match["seconds"]}
        if "cpu_seconds" in r and "cpu_seconds" in match:
            cpu = r["cpu_seconds"]
            if r["tool"] == "sklearn":
                cpu = cpu / (r["rounds"] + 1) * 1001
            entry["cpu_ratio"] = cpu / max(match["cpu_seconds"], 1e-9)
        if "peak_mb" in r and "peak_mb" in match:
            entry["memory_ratio"] = r["peak_mb"] / max(match["peak_mb"], 1e-9)
        if "accuracy" in r and "accuracy" in match:
            entry["accuracy"] = {"assay": match["accuracy"], r["tool"]: r["accuracy"]}
        out[name] = entry
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["assay", "crowdkit", "sklearn"], help="one tool")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    specs = [s for s in plan(args.quick) if args.only in (None, s["tool"])]
    results = measure_in_turns([s for s in specs if s.get("repeats")])
    results += [measure(spec) for spec in specs if not spec.get("repeats")]
    summary = ratios(results)
    for name, entry in summary.items():
        print(json.dumps({"ratio": name, **entry}), flush=True)
    path = RESULTS.with_name(f"{RESULTS.stem}_quick.json") if args.quick else RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"results": results, "ratios": summary}, indent=2))


if __name__ == "__main__":
    main()
