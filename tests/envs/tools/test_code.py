from __future__ import annotations

import pytest

from assay.envs import Episode
from tests.envs.conftest import error_code, make_task, ok
from tests.envs.tools.harness import Case, run_case

CASES = [
    Case("code_list_files", {}, check=lambda r, e: "src/billing/tax.py" in r and len(r) == 9),
    Case(
        "code_list_files",
        {"prefix": "src/billing/"},
        label="prefix",
        check=lambda r, e: r == ["src/billing/invoice.py", "src/billing/tax.py"],
    ),
    Case(
        "code_list_files",
        {"branch": "feature/usage-metering"},
        label="branch",
        check=lambda r, e: "src/metering/usage.py" in r and len(r) == 10,
    ),
    Case("code_list_files", {"branch": "nope"}, expect="not_found"),
    Case("code_list_files", {"prefix": 3}, expect="invalid_arguments"),
    Case(
        "code_read_file",
        {"path": "src/api/retry.py", "branch": "feature/retry-backoff"},
        check=lambda r, e: "backoff_delay" in r["content"],
    ),
    Case(
        "code_read_file",
        {"path": "src/api/retry.py"},
        label="main",
        check=lambda r, e: "backoff" not in r["content"],
    ),
    Case("code_read_file", {"path": "nope.py"}, expect="not_found", label="file"),
    Case(
        "code_read_file",
        {"path": "README.md", "branch": "nope"},
        expect="not_found",
        label="branch",
    ),
    Case("code_read_file", {}, expect="invalid_arguments"),
    Case(
        "code_write_file",
        {"path": "NOTES.md", "content": "hi", "branch": "feature/pdf-batching"},
        check=lambda r, e: e.universe.files["feature/pdf-batching:NOTES.md"].content == "hi",
    ),
    Case(
        "code_write_file",
        {"path": "README.md", "content": "x", "branch": "main"},
        expect="conflict",
    ),
    Case(
        "code_write_file",
        {"path": "README.md", "content": "x", "branch": "nope"},
        expect="not_found",
    ),
    Case(
        "code_write_file",
        {"path": " ", "content": "x", "branch": "feature/pdf-batching"},
        expect="invalid_input",
    ),
    Case(
        "code_write_file", {"path": "a", "text": "x", "branch": "main"}, expect="invalid_arguments"
    ),
    Case(
        "code_create_branch",
        {"name": "fix/x"},
        check=lambda r, e: (
            e.universe.branches["fix/x"].created_from == "main"
            and sum(f.branch == "fix/x" for f in e.universe.files.values()) == 9
        ),
    ),
    Case("code_create_branch", {"name": "main"}, expect="conflict"),
    Case("code_create_branch", {"name": "fix/x", "from_branch": "nope"}, expect="not_found"),
    Case("code_create_branch", {"name": " "}, expect="invalid_input"),
    Case("code_create_branch", {}, expect="invalid_arguments"),
    Case(
        "code_list_prs",
        {"status": "open"},
        check=lambda r, e: [p["id"] for p in r] == ["PR-7", "PR-8", "PR-9"],
    ),
    Case("code_list_prs", {"status": "draft"}, expect="invalid_arguments"),
    Case(
        "code_read_pr",
        {"pr_id": "pr-7"},
        check=lambda r, e: r["changed_files"] == ["src/api/retry.py"],
    ),
    Case("code_read_pr", {"pr_id": "PR-99"}, expect="not_found"),
    Case("code_read_pr", {}, expect="invalid_arguments"),
    Case("code_open_pr", {"title": "x", "source": "nope"}, expect="not_found"),
    Case(
        "code_open_pr",
        {"title": "x", "source": "main"},
        expect="invalid_input",
        label="same-branch",
    ),
    Case("code_open_pr", {"title": "x", "source": "feature/retry-backoff"}, expect="conflict"),
    Case(
        "code_open_pr",
        {"title": "", "source": "feature/retry-backoff"},
        expect="invalid_input",
        label="blank",
    ),
    Case("code_open_pr", {"title": "x"}, expect="invalid_arguments"),
    Case(
        "code_review_pr",
        {"pr_id": "PR-7", "verdict": "approve", "body": "lgtm"},
        check=lambda r, e: e.universe.pull_requests["PR-7"].reviews[-1].reviewer == "p-sam",
    ),
    Case("code_review_pr", {"pr_id": "PR-9", "verdict": "approve"}, expect="conflict", label="own"),
    Case(
        "code_review_pr", {"pr_id": "PR-5", "verdict": "comment"}, expect="conflict", label="merged"
    ),
    Case("code_review_pr", {"pr_id": "PR-99", "verdict": "comment"}, expect="not_found"),
    Case("code_review_pr", {"pr_id": "PR-7", "verdict": "ship it"}, expect="invalid_arguments"),
    Case(
        "code_run_ci",
        {"pr_id": "PR-7"},
        check=lambda r, e: r["ci"] == "passed" and e.universe.pull_requests["PR-7"].ci == "passed",
    ),
    Case(
        "code_run_ci",
        {"pr_id": "PR-9"},
        label="failing",
        check=lambda r, e: (
            r["ci"] == "failed"
            and [c["name"] for c in r["checks"] if not c["passed"]] == ["no-debug-prints"]
        ),
    ),
    Case("code_run_ci", {"pr_id": "PR-5"}, expect="conflict"),
    Case("code_run_ci", {"pr_id": "PR-99"}, expect="not_found"),
    Case("code_run_ci", {"pr": "PR-7"}, expect="invalid_arguments"),
    Case("code_merge_pr", {"pr_id": "PR-7"}, expect="conflict", label="no-ci"),
    Case("code_merge_pr", {"pr_id": "PR-5"}, expect="conflict", label="merged"),
    Case("code_merge_pr", {"pr_id": "PR-99"}, expect="not_found"),
    Case("code_merge_pr", {}, expect="invalid_arguments"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_code_tool(case: Case) -> None:
    run_case(case)


def test_a_change_goes_from_branch_to_main_through_a_reviewed_green_pr() -> None:
    author = Episode(make_task("p-sam"))
    ok(author.step("code_create_branch", {"name": "fix/readme"}))
    assert (
        error_code(author.step("code_open_pr", {"title": "x", "source": "fix/readme"}))
        == "invalid_input"
    )
    ok(
        author.step(
            "code_write_file",
            {"path": "README.md", "content": "# Kestrel\n", "branch": "fix/readme"},
        )
    )
    pr = ok(
        author.step(
            "code_open_pr",
            {"title": "Shorter README", "source": "fix/readme", "reviewers": ["raj"]},
        )
    )
    assert pr == {"id": "PR-10", "source": "fix/readme", "target": "main", "reviewers": ["p-raj"]}
    ok(author.step("code_run_ci", {"pr_id": "PR-10"}))
    assert (
        "approving review" in author.step("code_merge_pr", {"pr_id": "PR-10"})["error"]["message"]
    )
    author.universe.actor = "p-raj"  # the reviewer takes over the same universe
    ok(author.step("code_review_pr", {"pr_id": "PR-10", "verdict": "approve"}))
    merged = ok(author.step("code_merge_pr", {"pr_id": "PR-10"}))
    assert merged["files"] == ["README.md"]
    assert author.universe.files["main:README.md"].content == "# Kestrel\n"
    assert author.universe.pull_requests["PR-10"].status == "merged"
    assert error_code(author.step("code_merge_pr", {"pr_id": "PR-10"})) == "conflict"
