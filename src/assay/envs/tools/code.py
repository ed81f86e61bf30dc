"""Code tools: files and branches of the repository, pull requests, reviews, CI and merges."""

from __future__ import annotations

from typing import Any

from assay.envs.records import Branch, PullRequest, RepoFile, Review
from assay.envs.schema import parameters, string, strings
from assay.envs.tools._base import Tool, registrar, require_text, resolve_person
from assay.envs.universe import Universe
from assay.errors import Conflict, InvalidInput, NotFound

TOOLS: list[Tool] = []
tool = registrar(TOOLS, app="code")


def _branch(universe: Universe, name: str) -> Branch:
    branch = universe.branches.get(name)
    if branch is None:
        raise NotFound(f"no branch {name!r}", details={"branch": name})
    return branch


def branch_files(universe: Universe, branch: str) -> dict[str, RepoFile]:
    """Return the files on ``branch`` by path."""
    return {f.path: f for f in universe.files.values() if f.branch == branch}


def _pr(universe: Universe, pr_id: str) -> PullRequest:
    pr = universe.pull_requests.get(pr_id.strip().upper())
    if pr is None:
        raise NotFound(f"no pull request {pr_id!r}", details={"pr_id": pr_id})
    return pr


def _open_pr(universe: Universe, pr_id: str) -> PullRequest:
    pr = _pr(universe, pr_id)
    if pr.status != "open":
        raise Conflict(f"{pr.id} is {pr.status}", details={"status": pr.status})
    return pr


def _changed_paths(universe: Universe, source_branch: str, target_branch: str) -> list[str]:
    source, target = branch_files(universe, source_branch), branch_files(universe, target_branch)
    return sorted(p for p, f in source.items() if p not in target or target[p].content != f.content)


def _pr_view(universe: Universe, pr: PullRequest) -> dict[str, Any]:
    return {
        **pr.model_dump(mode="json"),
        "changed_files": _changed_paths(universe, pr.source, pr.target),
    }


def run_checks(universe: Universe, branch: str) -> list[dict[str, Any]]:
    """Evaluate every CI rule against the files of ``branch``."""
    files = branch_files(universe, branch)
    results = []
    for check in sorted(universe.ci_checks.values(), key=lambda c: c.id):
        found = files.get(check.path)
        if found is None:
            # A rule about a file the branch does not have only fails if it needs content.
            passed, detail = not check.must_contain, f"{check.path} not on {branch}"
        else:
            missing = [s for s in check.must_contain if s not in found.content]
            banned = [s for s in check.must_not_contain if s in found.content]
            passed = not missing and not banned
            detail = "ok" if passed else f"{check.path}: missing {missing}, forbidden {banned}"
        results.append({"name": check.id, "passed": passed, "detail": detail})
    return results


@tool(
    "code_list_files",
    "List the files of a branch (default main), optionally under a path prefix.",
    parameters(branch=string("Branch name."), prefix=string("Path prefix, e.g. 'src/billing/'.")),
)
def code_list_files(universe: Universe, args: dict[str, Any]) -> list[str]:
    """List files."""
    branch = _branch(universe, args.get("branch", "main")).id
    prefix = args.get("prefix", "")
    return sorted(p for p in branch_files(universe, branch) if p.startswith(prefix))


@tool(
    "code_read_file",
    "Read a file from a branch (default main).",
    parameters(["path"], path=string("File path."), branch=string("Branch name.")),
)
def code_read_file(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Read a file."""
    branch = _branch(universe, args.get("branch", "main")).id
    found = universe.files.get(f"{branch}:{args['path']}")
    if found is None:
        raise NotFound(f"no file {args['path']!r} on {branch}", details=args)
    return {"path": found.path, "branch": branch, "content": found.content}


@tool(
    "code_write_file",
    "Create or overwrite a file on a branch. Protected branches (main) change only by merging.",
    parameters(
        ["path", "content", "branch"],
        path=string("File path."),
        content=string("The whole new file content."),
        branch=string("Branch name."),
    ),
    writes=True,
)
def code_write_file(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Write a file."""
    branch = _branch(universe, args["branch"])
    if branch.protected:
        raise Conflict(f"{branch.id} is protected: commit to a branch and open a pull request")
    path = require_text(args["path"], "path")
    record = RepoFile(
        id=f"{branch.id}:{path}", branch=branch.id, path=path, content=args["content"]
    )
    universe.put("files", record)
    return {"path": path, "branch": branch.id, "bytes": len(record.content)}


@tool(
    "code_create_branch",
    "Create a branch from another branch (default main).",
    parameters(
        ["name"], name=string("New branch name."), from_branch=string("Branch to start from.")
    ),
    writes=True,
)
def code_create_branch(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Create a branch."""
    name = require_text(args["name"], "name")
    base = _branch(universe, args.get("from_branch", "main")).id
    if name in universe.branches:
        raise Conflict(f"branch {name!r} already exists", details={"branch": name})
    universe.put("branches", Branch(id=name, created_from=base))
    for f in branch_files(universe, base).values():
        universe.put("files", f.model_copy(update={"id": f"{name}:{f.path}", "branch": name}))
    return {"branch": name, "from": base}


@tool(
    "code_list_prs",
    "List pull requests, optionally by status.",
    parameters(status=string("Only this status.", enum=("open", "merged", "closed"))),
)
def code_list_prs(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """List pull requests."""
    return [
        {
            "id": p.id,
            "title": p.title,
            "author": p.author,
            "source": p.source,
            "status": p.status,
            "ci": p.ci,
        }
        for p in sorted(universe.pull_requests.values(), key=lambda p: p.id)
        if "status" not in args or p.status == args["status"]
    ]


@tool(
    "code_read_pr",
    "Read a pull request: description, reviews, CI status and changed files.",
    parameters(["pr_id"], pr_id=string("Pull request id, e.g. 'PR-7'.")),
)
def code_read_pr(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Read a pull request."""
    return _pr_view(universe, _pr(universe, args["pr_id"]))


@tool(
    "code_open_pr",
    "Open a pull request from a branch, optionally asking people to review it.",
    parameters(
        ["title", "source"],
        title=string("Title."),
        source=string("Branch with the changes."),
        target=string("Branch to merge into (default main)."),
        description=string("What and why."),
        reviewers=strings("People asked to review (ids, names or handles)."),
    ),
    writes=True,
)
def code_open_pr(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Open a pull request."""
    source = _branch(universe, args["source"]).id
    target = _branch(universe, args.get("target", "main")).id
    title = require_text(args["title"], "title")
    if source == target:
        raise InvalidInput("source and target are the same branch")
    if any(p.source == source and p.status == "open" for p in universe.pull_requests.values()):
        raise Conflict(f"{source} already has an open pull request", details={"source": source})
    reviewers = tuple(resolve_person(universe, r).id for r in args.get("reviewers", ()))
    if not _changed_paths(universe, source, target):
        raise InvalidInput(f"{source} has no changes against {target}")
    pr = PullRequest(
        id=universe.new_id("PR", 1),
        title=title,
        description=args.get("description", ""),
        author=universe.actor,
        source=source,
        target=target,
        reviewers=reviewers,
        created_at=universe.clock.iso(),
    )
    universe.put("pull_requests", pr)
    return {"id": pr.id, "source": source, "target": target, "reviewers": list(reviewers)}


@tool(
    "code_review_pr",
    "Review an open pull request: approve, request changes or comment.",
    parameters(
        ["pr_id", "verdict"],
        pr_id=string("Pull request id."),
        verdict=string("Your verdict.", enum=("approve", "request_changes", "comment")),
        body=string("Review text."),
    ),
    writes=True,
)
def code_review_pr(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Review a pull request."""
    pr = _open_pr(universe, args["pr_id"])
    if args["verdict"] == "approve" and pr.author == universe.actor:
        raise Conflict("you cannot approve your own pull request")
    review = Review(
        reviewer=universe.actor,
        verdict=args["verdict"],
        body=args.get("body", ""),
        at=universe.clock.iso(),
    )
    universe.put("pull_requests", pr.model_copy(update={"reviews": (*pr.reviews, review)}))
    return {"pr_id": pr.id, "verdict": review.verdict}


@tool(
    "code_run_ci",
    "Run CI on an open pull request's branch and record the result.",
    parameters(["pr_id"], pr_id=string("Pull request id.")),
    writes=True,
)
def code_run_ci(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Run CI."""
    pr = _open_pr(universe, args["pr_id"])
    checks = run_checks(universe, pr.source)
    status = "passed" if all(c["passed"] for c in checks) else "failed"
    universe.put("pull_requests", pr.model_copy(update={"ci": status}))
    return {"pr_id": pr.id, "ci": status, "checks": checks}


@tool(
    "code_merge_pr",
    "Merge an open pull request; CI must have passed and someone other than the author approved.",
    parameters(["pr_id"], pr_id=string("Pull request id.")),
    writes=True,
)
def code_merge_pr(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Merge a pull request into its target branch."""
    pr = _open_pr(universe, args["pr_id"])
    if pr.ci != "passed":
        raise Conflict(f"CI has not passed on {pr.id} (status: {pr.ci}); run CI first")
    if not any(r.verdict == "approve" and r.reviewer != pr.author for r in pr.reviews):
        raise Conflict(f"{pr.id} needs an approving review from someone other than its author")
    changed = _changed_paths(universe, pr.source, pr.target)
    for path in changed:
        source = universe.files[f"{pr.source}:{path}"]
        universe.put(
            "files", source.model_copy(update={"id": f"{pr.target}:{path}", "branch": pr.target})
        )
    now = universe.clock.iso()
    universe.put("pull_requests", pr.model_copy(update={"status": "merged", "merged_at": now}))
    return {"pr_id": pr.id, "merged_into": pr.target, "files": changed}
