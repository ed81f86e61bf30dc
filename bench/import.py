"""Bulk import through the SDK against a real ``assay serve``: tasks/s on SQLite and PostgreSQL.

Run from the repository root: ``.venv/bin/python bench/import.py [--quick] [--skip-peer]``.

Each backend gets a fresh database and server; the SDK submits ``--tasks`` tasks in chunks of
``--chunk-size`` (first import), then submits the same tasks again (every one already exists:
the idempotent replay a client does after a crash), then imports them into a second project
with ``--parallel`` chunks in flight (``submit_tasks(parallel=...)``). Label Studio's import of
the same kind of task runs afterwards in the same run (``../shared/peers/labelstudio``) for the
ratio.
Prints JSON lines and writes ``bench/results/import.json``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from _harness import (
    BACKENDS,
    SENTIMENT_TEMPLATE,
    assay_server,
    create_key,
    database,
    emit,
    ratio,
    run_label_studio,
    tasks,
    write_results,
)
from assay.sdk import Client

LS_TASKS_PER_S = 6_300  # the README's figure, used only when the peer is skipped
GOAL_RATIO = 10


def import_once(
    client: Client, project_id: str, items: list[dict[str, Any]], chunk: int, parallel: int = 1
) -> dict:
    start = time.perf_counter()
    report = client.submit_tasks(project_id, items, chunk_size=chunk, parallel=parallel)
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 3),
        "tasks_per_s": round(len(items) / seconds),
        "created": report.created,
        "existing": report.existing,
    }


def bench_backend(backend: str, count: int, chunk: int, parallel: int) -> dict[str, Any]:
    items = tasks(count)
    with database(backend) as db_url:
        key = create_key(db_url, "requester")
        with assay_server(db_url) as base_url, Client(base_url, key, timeout=600) as client:
            project = client.create_project("bench import", SENTIMENT_TEMPLATE, redundancy=1)
            first = import_once(client, project.id, items, chunk)
            replay = import_once(client, project.id, items, chunk)
            stored = client.get_project(project.id).task_counts.get("open", 0)
            other = client.create_project("bench import parallel", SENTIMENT_TEMPLATE, redundancy=1)
            side = import_once(client, other.id, items, chunk, parallel)
            stored_side = client.get_project(other.id).task_counts.get("open", 0)
    assert first["created"] == count and replay["existing"] == count and stored == count
    assert side["created"] == count and stored_side == count
    return emit(
        {
            "bench": "assay_import",
            "backend": backend,
            "tasks": count,
            "chunk_size": chunk,
            "tasks_per_s": first["tasks_per_s"],
            "seconds": first["seconds"],
            "replay_tasks_per_s": replay["tasks_per_s"],
            "parallel": parallel,
            "parallel_tasks_per_s": side["tasks_per_s"],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 tasks, SQLite only.")
    parser.add_argument("--skip-peer", action="store_true", help="Do not run Label Studio.")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    parser.add_argument(
        "--parallel", type=int, default=3, help="Chunks in flight for the parallel import."
    )
    args = parser.parse_args()
    count = 10_000 if args.quick else args.tasks
    backends = args.backend or (["sqlite"] if args.quick else list(BACKENDS))
    records = [bench_backend(b, count, args.chunk_size, args.parallel) for b in backends]
    peer_rate, peer_source = float(LS_TASKS_PER_S), "README"
    if not args.skip_peer:
        peer = run_label_studio(" ", 5, 2_000 if args.quick else 10_000)
        ls_import = next(r for r in peer if r.get("bench") == "ls_import")
        peer_rate, peer_source = ls_import["tasks_per_s"], "measured"
        records.append(emit(ls_import))
    for record in records:
        if record["bench"] == "assay_import":
            record["vs_label_studio"] = ratio(record["tasks_per_s"], peer_rate)
            record["parallel_vs_label_studio"] = ratio(record["parallel_tasks_per_s"], peer_rate)
            best = max(record["vs_label_studio"] or 0, record["parallel_vs_label_studio"] or 0)
            record["goal_met"] = best >= GOAL_RATIO
    ratios: dict[str, Any] = {}
    for record in records:
        if "backend" in record:
            backend = record["backend"]
            ratios[f"{backend}_vs_label_studio"] = record["vs_label_studio"]
            ratios[f"{backend}_parallel_vs_label_studio"] = record["parallel_vs_label_studio"]
    summary = emit(
        {
            "bench": "import_summary",
            "label_studio_tasks_per_s": peer_rate,
            "label_studio_source": peer_source,
            **ratios,
        }
    )
    write_results("import", [*records, summary], quick=args.quick)


if __name__ == "__main__":
    main()
