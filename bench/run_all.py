"""Run every benchmark in ``bench/`` one after another and collect what each printed.

Run from the repository root: ``.venv/bin/python bench/run_all.py [--quick] [--only NAME ...]``.

Every ``bench/*.py`` except this file and helpers (names starting with ``_``) runs in sequence
with its default arguments (plus ``--quick`` when given), never in parallel: benchmarks on a
shared 2-core machine must not compete with each other. Each script's JSON lines, exit code and
duration go to ``bench/results/run_all.json``; the exit code is non-zero if any script failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"


def scripts(only: list[str] | None) -> list[Path]:
    """The benchmark scripts, in name order."""
    found = [
        path
        for path in sorted(BENCH.glob("*.py"))
        if path.name != Path(__file__).name and not path.name.startswith("_")
    ]
    if only:
        found = [path for path in found if path.stem in only]
    return found


def run(script: Path, quick: bool) -> dict[str, Any]:
    """Run one script, echoing its output, and return what it printed as JSON."""
    command = [sys.executable, str(script), *(["--quick"] if quick else [])]
    print(f"== {script.name}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    lines: list[dict[str, Any]] = []
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                lines.append(json.loads(line))
    code = process.wait()
    return {
        "script": script.name,
        "exit_code": code,
        "seconds": round(time.perf_counter() - start, 1),
        "records": lines,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Pass --quick to every script.")
    parser.add_argument("--only", nargs="+", help="Run only these scripts (names without .py).")
    args = parser.parse_args()
    outcomes = [run(script, args.quick) for script in scripts(args.only)]
    RESULTS.mkdir(parents=True, exist_ok=True)
    document = {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "quick": args.quick, "runs": outcomes}
    (RESULTS / "run_all.json").write_text(json.dumps(document, indent=1) + "\n")
    failed = [o["script"] for o in outcomes if o["exit_code"] != 0]
    summary = {
        "bench": "run_all",
        "scripts": len(outcomes),
        "failed": failed,
        "seconds": round(sum(o["seconds"] for o in outcomes), 1),
    }
    print(json.dumps(summary), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
