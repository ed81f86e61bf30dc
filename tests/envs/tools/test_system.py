from __future__ import annotations

import pytest

from tests.envs.tools.harness import Case, run_case

CASES = [
    Case(
        "people_search",
        {"query": "engineer"},
        check=lambda r, e: {"p-sam", "p-ines", "p-tom", "p-omar", "p-leo"} <= {p["id"] for p in r},
    ),
    Case(
        "people_search",
        {"query": "acme"},
        label="external",
        check=lambda r, e: [p["id"] for p in r] == ["x-jordan"],
    ),
    Case("people_search", {}, expect="invalid_arguments"),
    Case(
        "wait",
        {"seconds": 120},
        check=lambda r, e: (
            r["now"] == "2026-03-02T09:02:00Z" and e.universe.clock.iso() == "2026-03-02T09:03:00Z"
        ),
    ),
    Case("wait", {"seconds": 0}, expect="invalid_arguments"),
    Case("finish", {"summary": "done"}, check=lambda r, e: e.finished and e.done),
    Case("finish", {}, expect="invalid_arguments"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_system_tool(case: Case) -> None:
    run_case(case)
