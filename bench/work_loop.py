"""The worker loop against a real ``assay serve``: next + submit with 1 and 8 concurrent workers.

Run from the repository root: ``.venv/bin/python bench/work_loop.py [--quick] [--skip-peer]``.

Each backend gets a fresh database and server with one redundancy-1 project of ``--tasks``
tasks (the same shape as the Label Studio baseline: one single-choice question). Each worker is a
thread with its own SDK client and worker key, repeating ``next_task`` then ``submit`` for
``--seconds``. The quality job runs with the project's automatic actions on, as in production
(a worker alone on redundancy-1 tasks without gold is left unjudged, not paused). The server
runs one process per core (``--workers``), as a deployment would.
Reports responses/s, p50/p99 latency of each call and of the whole cycle, errors, and
duplicates (a task answered more often than its redundancy). Label Studio's loop
runs afterwards in the same run for the ratio. Writes ``bench/results/work_loop.json``.

Back to back, the workers saturate the machine (server, database and the workers share its
cores), so latency there is mostly queueing: with ``n`` workers each waits behind the
others. The last run therefore paces the most workers at the goal's load, ten times Label
Studio's responses/s with as many workers (its README figure), and reports the latency a
worker sees at that load, counted from when each cycle was due.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from _harness import (
    BACKENDS,
    SENTIMENT_TEMPLATE,
    assay_server,
    create_key,
    database,
    emit,
    percentile,
    ratio,
    run_label_studio,
    tasks,
    write_results,
)
from assay.sdk import AssayAPIError, Client

# The README's figures, used only when the peer is skipped.
LS_RESPONSES_PER_S = {1: 6.6, 8: 10.7}
GOAL_RATIO = 10
GOAL_P99_MS = 50
CHOICES = ("Positive", "Negative", "Neutral")


@dataclass
class WorkerLog:
    """What one worker thread saw."""

    next_s: list[float] = field(default_factory=list)
    submit_s: list[float] = field(default_factory=list)
    cycle_s: list[float] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    empty: int = 0


def work(
    base_url: str,
    key: str,
    project_id: str,
    stop_at: float,
    log: WorkerLog,
    schedule: tuple[float, float] | None = None,
) -> None:
    """Repeat next + submit until ``stop_at``: back to back, or on ``schedule``.

    ``schedule`` is (first start, interval): cycle ``i`` is due at ``first + i * interval``
    and its latency counts from then, not from when it could start, so a server that falls
    behind is charged for the wait (no coordinated omission).
    """
    with Client(base_url, key, max_retries=0) as client:
        index = 0
        due = schedule[0] if schedule else 0.0
        while time.perf_counter() < stop_at:
            if schedule:
                time.sleep(max(0.0, due - time.perf_counter()))
                start, due = due, due + schedule[1]
            else:
                start = time.perf_counter()
            try:
                assignment = client.next_task(project_id)
                leased = time.perf_counter()
                if assignment is None:
                    log.empty += 1
                    continue
                answer = {"sentiment": CHOICES[index % 3]}
                client.submit(assignment.id, answer, active_time_ms=1000)
            except AssayAPIError as exc:
                log.errors.append(f"{exc.status} {exc.code}")
                continue
            done = time.perf_counter()
            log.next_s.append(leased - start)
            log.submit_s.append(done - leased)
            log.cycle_s.append(done - start)
            log.task_ids.append(assignment.task.id)
            index += 1


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def run_loop(
    base_url: str, keys: list[str], project_id: str, seconds: float, rate: float | None = None
) -> dict[str, Any]:
    """Run the workers for ``seconds``: back to back, or together at ``rate`` cycles/s.

    Paced workers start evenly staggered, each at ``rate / len(keys)`` cycles/s.
    """
    logs = [WorkerLog() for _ in keys]
    start = time.perf_counter()
    stop_at = start + seconds
    interval = len(keys) / rate if rate else 0.0
    threads = [
        threading.Thread(
            target=work,
            args=(base_url, key, project_id, stop_at, log),
            kwargs={"schedule": (start + i * interval / len(keys), interval) if rate else None},
        )
        for i, (key, log) in enumerate(zip(keys, logs, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    cycles = [s for log in logs for s in log.cycle_s]
    nexts = [s for log in logs for s in log.next_s]
    submits = [s for log in logs for s in log.submit_s]
    answered = Counter(t for log in logs for t in log.task_ids)
    return {
        "clients": len(keys),
        "seconds": round(elapsed, 2),
        "responses": len(cycles),
        "responses_per_s": round(len(cycles) / elapsed, 1),
        "cycle_p50_ms": _ms(percentile(cycles, 50)),
        "cycle_p99_ms": _ms(percentile(cycles, 99)),
        "next_p50_ms": _ms(percentile(nexts, 50)),
        "next_p99_ms": _ms(percentile(nexts, 99)),
        "submit_p50_ms": _ms(percentile(submits, 50)),
        "submit_p99_ms": _ms(percentile(submits, 99)),
        "duplicates": sum(n - 1 for n in answered.values() if n > 1),
        "errors": sum(len(log.errors) for log in logs),
        "error_kinds": dict(Counter(e for log in logs for e in log.errors)),
        "empty_queue": sum(log.empty for log in logs),
    }


def bench_backend(
    backend: str, clients: list[int], count: int, seconds: float, workers: int = 1
) -> list[dict]:
    """Back-to-back runs at each client count, then the largest paced at the goal's rate.

    The paced run gets a database and server of its own: on the first one, the quality job
    is still scoring the earlier runs' thousands of responses, which a steady load at the
    goal's rate should not have to share the machine with.
    """
    records = _runs(backend, [(n, None) for n in clients], count, seconds, workers)
    paced = max(clients)
    if paced in LS_RESPONSES_PER_S:
        rate = GOAL_RATIO * LS_RESPONSES_PER_S[paced]
        records += _runs(backend, [(paced, rate)], count, seconds, workers)
    return records


def _runs(
    backend: str, runs: list[tuple[int, float | None]], count: int, seconds: float, workers: int
) -> list[dict]:
    """The runs (workers, pace or None) one after another on one fresh database and server."""
    records = []
    with database(backend) as db_url:
        requester = create_key(db_url, "requester")
        most = max(n for n, _ in runs)
        keys = [create_key(db_url, "worker", f"bench-worker-{i}") for i in range(most)]
        server = assay_server(db_url, workers=workers)
        with server as base_url, Client(base_url, requester, timeout=600) as admin:
            for n, rate in runs:
                # A fresh project per run, so every run starts from a full queue.
                project = admin.create_project(f"loop {n}", SENTIMENT_TEMPLATE, redundancy=1)
                admin.submit_tasks(project.id, tasks(count))
                result = run_loop(base_url, keys[:n], project.id, seconds, rate)
                record = {"bench": "assay_loop", "backend": backend, "server_workers": workers}
                record["mode"] = "paced" if rate else "back to back"
                if rate:
                    record["paced_cycles_per_s"] = rate
                records.append(emit({**record, **result}))
    return records


def _run_name(record: dict[str, Any]) -> str:
    paced = "_paced" if record.get("mode") == "paced" else ""
    return f"{record['backend']}_{record['clients']}{paced}"


def compare(records: list[dict[str, Any]], peer: dict[int, float]) -> None:
    for record in records:
        theirs = peer.get(record["clients"])
        record["vs_label_studio"] = ratio(record["responses_per_s"], theirs)
        record["goal_met"] = bool(
            record["vs_label_studio"]
            and record["vs_label_studio"] >= GOAL_RATIO
            and record["cycle_p99_ms"] is not None
            and record["cycle_p99_ms"] < GOAL_P99_MS
            and record["duplicates"] == 0
        )


def main() -> None:
    if "--mixed" in sys.argv:
        # The realistic mixed workload (32 workers, gold, skill and locale routing on
        # PostgreSQL) lives in work_mix.py; `work_loop.py --mixed [its options]` runs it.
        sys.argv.remove("--mixed")
        import work_mix

        work_mix.main()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mixed", action="store_true", help="Run the mixed workload instead.")
    parser.add_argument("--quick", action="store_true", help="5 s runs, SQLite only.")
    parser.add_argument("--skip-peer", action="store_true", help="Do not run Label Studio.")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="Server processes (one per core)."
    )
    args = parser.parse_args()
    seconds = 5 if args.quick else args.seconds
    count = 10_000 if args.quick else args.tasks
    backends = args.backend or (["sqlite"] if args.quick else list(BACKENDS))
    records = [
        r
        for b in backends
        for r in bench_backend(b, args.clients, count, seconds, workers=args.workers)
    ]
    peer, source = dict(LS_RESPONSES_PER_S), "README"
    peer_records: list[dict[str, Any]] = []
    if not args.skip_peer:
        clients = " ".join(str(n) for n in args.clients)
        peer_records = run_label_studio(clients, int(seconds), 2_000 if args.quick else 10_000)
        loops = [r for r in peer_records if r.get("bench") == "ls_loop"]
        peer, source = {r["clients"]: r["ann_per_s"] for r in loops}, "measured"
        for record in peer_records:
            if record.get("bench") in ("ls_import", "ls_loop"):
                emit(record)
    compare(records, peer)
    summary = emit(
        {
            "bench": "work_loop_summary",
            "label_studio_source": source,
            "label_studio_responses_per_s": peer,
            "ratios": {_run_name(r): r["vs_label_studio"] for r in records},
            "goal_met": all(r["goal_met"] for r in records),
        }
    )
    write_results("work_loop", [*records, *peer_records, summary], quick=args.quick)


if __name__ == "__main__":
    main()
