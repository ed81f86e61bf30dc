from __future__ import annotations

import pytest

from tests.envs.tools.harness import Case, run_case

CASES = [
    Case("docs_search", {"query": "runbook"}, check=lambda r, e: r[0]["id"] == "doc-runbook"),
    Case("docs_search", {}, label="recent", check=lambda r, e: len(r) == 10),
    Case("docs_search", {"limit": 100}, expect="invalid_arguments"),
    Case(
        "docs_read",
        {"doc_id": "doc-expense"},
        check=lambda r, e: "$1,500" in r["body"] and r["owner"] == "p-dan",
    ),
    Case("docs_read", {"doc_id": "doc-nope"}, expect="not_found"),
    Case("docs_read", {}, expect="invalid_arguments"),
    Case(
        "docs_create",
        {"title": "Notes", "body": "hello", "folder": "misc"},
        check=lambda r, e: r["id"] == "doc-001" and e.universe.docs["doc-001"].owner == "p-sam",
    ),
    Case("docs_create", {"title": "incident RUNBOOK", "body": "x"}, expect="conflict"),
    Case("docs_create", {"title": " ", "body": "x"}, expect="invalid_input"),
    Case("docs_create", {"title": "x"}, expect="invalid_arguments"),
    Case(
        "docs_update",
        {"doc_id": "doc-budget", "body": "new", "title": "Budget"},
        check=lambda r, e: (
            (d := e.universe.docs["doc-budget"]).body == "new"
            and d.title == "Budget"
            and d.updated_at == "2026-03-02T09:00:00Z"
        ),
    ),
    Case("docs_update", {"doc_id": "doc-nope", "body": "x"}, expect="not_found"),
    Case("docs_update", {"doc_id": "doc-budget", "body": "x", "title": ""}, expect="invalid_input"),
    Case("docs_update", {"doc_id": "doc-budget"}, expect="invalid_arguments"),
    Case(
        "docs_append",
        {"doc_id": "doc-spend", "text": "- 2026-02 AWS: $12,340"},
        check=lambda r, e: e.universe.docs["doc-spend"].body.endswith(
            "$2,150\n- 2026-02 AWS: $12,340\n"
        ),
    ),
    Case("docs_append", {"doc_id": "doc-nope", "text": "x"}, expect="not_found"),
    Case("docs_append", {"doc_id": "doc-spend", "text": "\n"}, expect="invalid_input"),
    Case("docs_append", {"doc_id": "doc-spend", "body": "x"}, expect="invalid_arguments"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_docs_tool(case: Case) -> None:
    run_case(case)
