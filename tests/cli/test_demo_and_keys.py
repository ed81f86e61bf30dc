from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from assay.api.app import create_app
from assay.config import Settings

ASSAY = str(Path(sys.executable).with_name("assay"))


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSAY_DATA_DIR": str(data_dir)}
    env.pop("ASSAY_DATABASE_URL", None)
    return subprocess.run(
        [ASSAY, *args], capture_output=True, text=True, env=env, timeout=180, check=False
    )


def test_keys_create_prints_the_key_alone_on_the_last_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    created = _run(
        "keys", "create", "--org", "acme", "--role", "requester", "--db", url, data_dir=tmp_path
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("assay_") and " " not in key
    client = TestClient(create_app(Settings(database_url=url)))
    assert client.get("/v1/projects", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    bad = _run("keys", "create", "--org", "acme", "--role", "boss", "--db", url, data_dir=tmp_path)
    assert bad.returncode == 2 and "Unknown role" in bad.stderr


def test_demo_seeds_once_and_mints_working_keys(tmp_path: Path) -> None:
    first = _run("demo", "--seed-only", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    second = _run("demo", "--seed-only", data_dir=tmp_path)
    counts = [
        int(re.search(r"(\d+) demo projects", run.stdout).group(1)) for run in (first, second)
    ]  # type: ignore[union-attr]
    assert counts[0] == counts[1] >= 12  # every template, plus the RLHF demo; nothing doubled
    worker_key = next(
        line.split("│")[2].strip() for line in second.stdout.splitlines() if "│ worker" in line
    )
    client = TestClient(create_app(Settings(data_dir=tmp_path)))
    lease = client.post("/v1/work/next", json={}, headers={"Authorization": f"Bearer {worker_key}"})
    assert lease.status_code == 200, lease.text
    assert (tmp_path / "assay.db").exists()
