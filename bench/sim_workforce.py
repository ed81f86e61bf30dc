"""Simulate a realistic crowd on a real data set, end to end through the REST API.

The data: ``zheng_s_dog`` (807 ImageNet dog photos, 4 breeds, 10 real crowd labels each, gold
for all). Tasks are the photos; 10% become gold, shown at a 20% rate. Simulated workers answer
through ``/v1/work/next`` and ``/v1/work/{id}/submit`` of an in-process app (FastAPI TestClient
over a fresh SQLite file, every request through the real routes, auth and services):

* experts: right 93% of the time, otherwise one of the photo's real wrong labels;
* regular workers: replay one of the photo's real crowd labels (the data's own 70% accuracy,
  its own hard photos and confusions);
* sloppy workers: a random breed 25% of the time, else a real label; fast;
* spammers: random breeds (two of them) or always the same breed; very fast;
* model-pasters: mostly right, and paste a model-written rationale;
* a colluding pair: work in lockstep on the same tasks from one device, give the same answers
  and near-identical rationales.

Each run is done twice with the same crowd and seed: without quality operations (the platform
delivers the majority vote at completion) and with them (accuracy target, policy actions,
Dawid-Skene, calibration, the gate buying expert responses), where the quality recompute (what
the background job runs) is triggered through ``POST /v1/projects/{id}/quality/recompute``
every ``--recompute-every`` submits. Prints JSON lines and writes
``bench/results/sim_workforce.json``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fastapi.testclient import TestClient  # noqa: E402
from tests.support.routers import app_with  # noqa: E402

from _harness import emit, write_results  # noqa: E402
from _sim_crowd import (  # noqa: E402
    BAD_KINDS,
    BREEDS,
    CROWD,
    GOLD_RATE,
    GOLD_SHARE,
    TEMPLATE,
    SimWorker,
    load_dog,
)
from assay.api.routes import experiments as experiment_routes  # noqa: E402
from assay.api.routes import quality as quality_routes  # noqa: E402
from assay.config import Settings  # noqa: E402
from assay.services.keys import create_api_key  # noqa: E402
from assay.store import make_engine, make_session_factory  # noqa: E402
from assay.store.migrate import upgrade  # noqa: E402

HONEST = ("expert", "regular")


@dataclass
class Run:
    """One simulation run's app, ids and bookkeeping."""

    client: TestClient
    requester: str
    project_id: str
    workers: list[SimWorker]
    item_of: dict[str, str]
    gold: set[str]
    raw: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    submits: int = 0


def headers(key: str) -> dict[str, str]:
    """Bearer header."""
    return {"Authorization": f"Bearer {key}"}


@contextmanager
def app(tmp: Path, seed: int) -> Iterator[tuple[TestClient, Settings]]:
    """A migrated SQLite database and the API with the quality routers mounted.

    The server's own draws (which lease is gold, review sampling) are seeded too, so a run of
    one seed repeats exactly.
    """
    url = f"sqlite:///{tmp}/sim.db"
    upgrade(url)
    settings = Settings(database_url=url, data_dir=tmp / "data", random_seed=seed)
    with TestClient(app_with(settings, quality_routes.router, experiment_routes.router)) as client:
        yield client, settings


def make_crowd(settings: Settings, seed: int) -> tuple[str, list[SimWorker]]:
    """A requester key and one key per simulated worker."""
    factory = make_session_factory(make_engine(settings.resolved_database_url()))
    with factory() as session:
        requester = create_api_key(session, org_name="sim", role="requester").secret
    workers = []
    for kind, count in CROWD.items():
        for n in range(count):
            handle = f"{kind}-{n}"
            with factory() as session:
                key = create_api_key(session, org_name="sim", role="worker", name=handle).secret
            device = "shared-laptop" if kind == "colluder" else f"device-{handle}"
            workers.append(
                SimWorker(
                    handle,
                    kind,
                    key,
                    device,
                    random.Random(f"{seed}:{handle}"),
                    constant=BREEDS[n % 4],
                )
            )
    return requester, workers


def post(client: TestClient, key: str, url: str, body: Any = None) -> Any:
    """POST and return the JSON, failing loudly on an unexpected error."""
    answer = client.post(url, json=body if body is not None else {}, headers=headers(key))
    if answer.status_code >= 300:
        raise RuntimeError(f"{url}: {answer.status_code} {answer.text[:300]}")
    return answer.json()


def setup_project(
    client: TestClient, requester: str, truth: dict[str, str], quality: bool, rng: random.Random
) -> tuple[str, dict[str, str], set[str]]:
    """The project and its tasks (10% gold), in four batches; returns (project id, uid->item)."""
    project = post(
        client,
        requester,
        "/v1/projects",
        {
            "name": "Dog breeds",
            "template": TEMPLATE,
            "redundancy": 3,
            "gold_rate": GOLD_RATE,
            "pay_per_task_cents": 5,
            "time_estimate_seconds": 12,
        },
    )
    items = list(truth)
    gold = set(rng.sample(items, int(len(items) * GOLD_SHARE)))
    tasks = [
        {
            "unique_id": f"dog-{i}",
            "payload": {"photo": f"Dog photo #{i}"},
            **({"gold_answer": {"breed": truth[i]}} if i in gold else {}),
        }
        for i in items
    ]
    for n in range(4):
        post(
            client,
            requester,
            f"/v1/projects/{project['id']}/tasks",
            {"tasks": tasks[n::4], "batch_name": f"batch-{n}"},
        )
    if quality:
        client.put(
            f"/v1/projects/{project['id']}/quality/settings",
            headers=headers(requester),
            json={"quality_target": 0.9, "max_responses": 6},
        )
    return project["id"], {f"dog-{i}": i for i in items}, gold


def work_once(
    run: Run, worker: SimWorker, truth: dict[str, str], real: dict[str, list[str]]
) -> str:
    """One next + submit; returns 'ok', 'gold', 'empty' or 'paused'."""
    client = run.client
    lease = client.post(
        "/v1/work/next", json={"project_id": run.project_id}, headers=headers(worker.key)
    )
    if lease.status_code == 403:
        worker.active = False
        return "paused"
    if lease.status_code == 404:
        return "empty"
    body = lease.json()
    item = body["task"]["payload"]["photo"].split("#")[1]
    breed = worker.answer(item, truth[item], real[item])
    text, telemetry, ms = worker.rationale(item, breed)
    telemetry["device_id"] = worker.device
    post(
        client,
        worker.key,
        f"/v1/work/{body['id']}/submit",
        {"answer": {"breed": breed, "reason": text}, "active_time_ms": ms, "telemetry": telemetry},
    )
    worker.submitted += 1
    run.submits += 1
    if item in run.gold:
        return "gold"
    run.raw[item].append(breed)
    return "ok"


def take_turn(
    run: Run, worker: SimWorker, truth: dict[str, str], real: dict[str, list[str]]
) -> str:
    """One task for a worker (the colluding pair works in lockstep: the follower goes next)."""
    status = work_once(run, worker, truth, real)
    follower = next(w for w in run.workers if w.handle == "colluder-1")
    if worker.handle == "colluder-0" and status in ("ok", "gold") and follower.active:
        work_once(run, follower, truth, real)
    return status


def simulate(
    run: Run,
    truth: dict[str, str],
    real: dict[str, list[str]],
    quality: bool,
    every: int,
    rng: random.Random,
) -> None:
    """Let the crowd work until no regular task is left for anyone; recompute periodically."""
    idle_rounds, last = 0, 0
    while idle_rounds < 2:
        progress = False
        order = [w for w in run.workers if w.handle != "colluder-1"]
        rng.shuffle(order)
        for worker in order:
            # Spammers and sloppy workers are fast: they take more turns.
            turns = 3 if worker.kind == "spammer" else 2 if worker.kind == "sloppy" else 1
            for _ in range(turns if worker.active else 0):
                status = take_turn(run, worker, truth, real)
                progress |= status == "ok"
                if status in ("empty", "paused"):
                    break
            if quality and run.submits - last >= every:
                post(run.client, run.requester, f"/v1/projects/{run.project_id}/quality/recompute")
                last = run.submits
        if quality and not progress:  # the queue ran dry: let the gate buy what it needs
            post(run.client, run.requester, f"/v1/projects/{run.project_id}/quality/recompute")
            last = run.submits
        idle_rounds = 0 if progress else idle_rounds + 1


def list_tasks(run: Run) -> list[dict[str, Any]]:
    """Every task of the project (paged)."""
    tasks: list[dict[str, Any]] = []
    after = ""
    while True:
        url = f"/v1/projects/{run.project_id}/tasks?limit=1000" + (
            f"&after={after}" if after else ""
        )
        page = run.client.get(url, headers=headers(run.requester)).json()
        tasks += page
        if len(page) < 1000:
            return tasks
        after = page[-1]["id"]


def delivered_results(run: Run, quality: bool) -> dict[str, tuple[str, float | None]]:
    """Item -> (delivered breed, confidence) for the regular tasks that were delivered."""
    out = {}
    for task in list_tasks(run):
        if task["is_gold"] or task["state"] not in ("complete", "delivered"):
            continue
        if quality:
            gate = run.client.get(
                f"/v1/tasks/{task['id']}/gate", headers=headers(run.requester)
            ).json()
            if gate["status"] != "released":
                continue
        result = run.client.get(f"/v1/tasks/{task['id']}/result", headers=headers(run.requester))
        if result.status_code == 200:
            body = result.json()
            out[run.item_of[task["unique_id"]]] = (body["answer"]["breed"], body["confidence"])
    return out


def plain_majority(raw: dict[str, list[str]], truth: dict[str, str], rng: random.Random) -> float:
    """Accuracy of the majority vote over every answer collected (ties at random)."""
    right = 0.0
    for item, votes in raw.items():
        tally = Counter(votes)
        top = max(tally.values())
        winners = [b for b, n in tally.items() if n == top]
        right += (truth[item] in winners) / len(winners)
    return right / max(len(raw), 1)


def detection(run: Run) -> dict[str, Any]:
    """Precision and recall per bad-worker kind, from flagged signals and worker alarms."""
    ids = {post_me(run, w.key): w for w in run.workers}
    base = f"/v1/projects/{run.project_id}/quality"
    signals = run.client.get(f"{base}/signals?flagged=true", headers=headers(run.requester)).json()
    flagged: dict[str, set[str]] = defaultdict(set)
    for signal in signals:
        for worker_id in (signal["worker_id"], signal["other_worker_id"]):
            if worker_id in ids:
                flagged[signal["kind"]].add(ids[worker_id].handle)
    for alarm in run.client.get(f"{base}/alarms", headers=headers(run.requester)).json():
        if alarm["scope"] == "worker" and alarm["subject_id"] in ids:
            flagged["spc_alarm"].add(ids[alarm["subject_id"]].handle)
    report: dict[str, Any] = {}
    for kind, detectors in BAD_KINDS.items():
        caught = set().union(*(flagged[d] for d in detectors))
        truly = {w.handle for w in run.workers if w.kind == kind}
        hits = len(caught & truly)
        report[kind] = {
            "precision": hits / len(caught) if caught else 1.0,
            "recall": hits / len(truly),
            "flagged": len(caught),
            "actual": len(truly),
            "false_positives": sorted(caught - truly),
            # Flagged honest workers; a spammer caught as "too fast" is a false positive of
            # the sloppy detectors above but not a wrong accusation.
            "honest_flagged": sorted(
                w.handle for w in run.workers if w.handle in caught and w.kind in HONEST
            ),
            "detectors": sorted(detectors),
        }
    report["by_detector"] = {kind: sorted(handles) for kind, handles in sorted(flagged.items())}
    return report


def resolve_escalations(run: Run, truth: dict[str, str], real: dict[str, list[str]]) -> int:
    """Escalated tasks go to an expert reviewer, who decides and releases them through the API."""
    held = run.client.get(
        f"/v1/projects/{run.project_id}/quality/held", headers=headers(run.requester)
    ).json()
    uid_of = {t["id"]: t["unique_id"] for t in list_tasks(run)}
    reviewer = SimWorker("expert-reviewer", "expert", "", "", random.Random("reviewer"))
    decided = 0
    for gate in held:
        if gate["status"] != "escalated":
            continue
        item = run.item_of[uid_of[gate["task_id"]]]
        breed = reviewer.answer(item, truth[item], real[item])
        post(
            run.client,
            run.requester,
            f"/v1/tasks/{gate['task_id']}/gate/release",
            {"reason": "expert reviewer decided", "answer": {"breed": breed}},
        )
        decided += 1
    return decided


def post_me(run: Run, key: str) -> str:
    """The worker id behind a key."""
    return str(run.client.get("/v1/me", headers=headers(key)).json()["id"])


def calibration(
    delivered: dict[str, tuple[str, float | None]], truth: dict[str, str]
) -> dict[str, Any]:
    """Accuracy per confidence bin of the delivered results (calibration check on all truth)."""
    bins: dict[str, list[bool]] = defaultdict(list)
    for item, (breed, confidence) in delivered.items():
        if confidence is None:
            continue
        edge = min(int(confidence * 20) / 20, 0.95)
        bins[f"{edge:.2f}"].append(breed == truth[item])
    gap = sum(abs(sum(v) / len(v) - (float(k) + 0.025)) * len(v) for k, v in bins.items())
    total = sum(len(v) for v in bins.values())
    return {
        "ece": gap / total if total else None,
        "bins": {
            k: {"n": len(v), "accuracy": round(sum(v) / len(v), 4)} for k, v in sorted(bins.items())
        },
    }


def one_run(quality: bool, limit: int | None, seed: int, every: int) -> dict[str, Any]:
    """Simulate the crowd once; return the measurements."""
    truth, real = load_dog(limit)
    rng = random.Random(seed)
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as tmp,
        app(Path(tmp), seed) as (client, settings),
    ):
        requester, workers = make_crowd(settings, seed)
        project_id, item_of, gold = setup_project(client, requester, truth, quality, rng)
        run = Run(client, requester, project_id, workers, item_of, gold)
        simulate(run, truth, real, quality, every, rng)
        by_gate = delivered_results(run, quality)
        escalated = resolve_escalations(run, truth, real) if quality else 0
        delivered = delivered_results(run, quality) if escalated else by_gate
        regular = [i for i in truth if i not in gold]
        record: dict[str, Any] = {
            "quality_operations": quality,
            "items": len(truth),
            "seed": seed,
            "submits": run.submits,
            "seconds": round(time.perf_counter() - started, 1),
            "regular_tasks": len(regular),
            "delivered": len(delivered),
            "delivered_accuracy": accuracy_of(delivered, truth),
            "plain_majority_vote_all_answers": round(plain_majority(run.raw, truth, rng), 4),
            "responses_per_delivered_task": round(run.submits / max(len(delivered), 1), 2),
        }
        if quality:
            record.update(
                {
                    "released_by_gate": len(by_gate),
                    "gate_accuracy": accuracy_of(by_gate, truth),
                    "escalated_to_expert_reviewer": escalated,
                    "detection": detection(run),
                    "calibration": calibration(by_gate, truth),
                }
            )
        return record


def accuracy_of(delivered: dict[str, tuple[str, float | None]], truth: dict[str, str]) -> float:
    """Share of delivered results that are right."""
    return round(sum(b == truth[i] for i, (b, _) in delivered.items()) / max(len(delivered), 1), 4)


def main() -> None:
    """Run the simulation without and with quality operations, for each seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 photos, one seed")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--recompute-every", type=int, default=150)
    parser.add_argument("--only", choices=["plain", "quality"], help="run one of the two modes")
    args = parser.parse_args()
    limit, seeds = (200, 1) if args.quick else (None, args.seeds)
    modes = [m == "quality" for m in ([args.only] if args.only else ["plain", "quality"])]
    records = []
    for seed in range(seeds):
        for quality in modes:
            records.append(emit(one_run(quality, limit, seed, args.recompute_every)))
    write_results(
        "sim_workforce_quick" if args.quick else "sim_workforce",
        records,
        data="zheng_s_dog",
        crowd=CROWD,
        transport="in-process TestClient (real routes, SQLite)",
    )


if __name__ == "__main__":
    main()
