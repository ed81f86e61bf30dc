"""Written plans for the engineering tasks of the bundled startup."""

from __future__ import annotations

import re

from assay.envs.agents.reference import Plan, PlanContext, registrar

PLANS: dict[str, Plan] = {}
plan = registrar(PLANS)


def edit_on_branch(
    ctx: PlanContext, branch: str, path: str, old: str, new: str, *, create: bool = True
) -> None:
    """Replace ``old`` with ``new`` in one file on ``branch`` (created from main if asked)."""
    if create:
        ctx.value("code_create_branch", name=branch)
    content = ctx.value("code_read_file", path=path, branch=branch)["content"]
    ctx.attempt("code_write_file", path=path, branch=branch, content=re.sub(old, new, content))


@plan("eng-fix-tax-rounding")
def fix_tax_rounding(ctx: PlanContext) -> None:
    """Branch, fix the truncation, open a PR for Raj, link it on the ticket."""
    edit_on_branch(
        ctx,
        "fix/tax-rounding",
        "src/billing/tax.py",
        re.escape("int(amount * rate * 100) / 100"),
        "round(amount * rate, 2)",
    )
    pr = ctx.value(
        "code_open_pr",
        title="Round invoice tax to the nearest cent",
        source="fix/tax-rounding",
        description="Fixes ENG-101: round() instead of truncating with int().",
        reviewers=["p-raj"],
    )
    ctx.attempt("tickets_comment", ticket_id="ENG-101", body=f"Fix is up for review in {pr['id']}.")


@plan("eng-merge-retry-pr")
def merge_retry_pr(ctx: PlanContext) -> None:
    """CI, approve, merge, resolve."""
    ci = ctx.value("code_run_ci", pr_id="PR-7")
    if ci["ci"] != "passed":
        return
    ctx.attempt("code_review_pr", pr_id="PR-7", verdict="approve", body="Looks good, CI is green.")
    ctx.value("code_merge_pr", pr_id="PR-7")
    ctx.attempt("tickets_update", ticket_id="ENG-104", status="resolved")


@plan("eng-merge-pdf-pr")
def merge_pdf_pr(ctx: PlanContext) -> None:
    """Merge on green CI; when CI cannot run, report to Raj instead of merging."""
    obs = ctx.attempt("code_run_ci", pr_id="PR-8")
    if obs["ok"] and obs["result"]["ci"] == "passed":
        ctx.attempt("code_review_pr", pr_id="PR-8", verdict="approve", body="Nice, approved.")
        ctx.attempt("code_merge_pr", pr_id="PR-8")
    elif ctx.fallbacks:
        ctx.attempt(
            "mail_send",
            to=["raj@kestrel.example"],
            subject="PR-8 blocked on CI",
            body="Raj, PR-8 (PDF batching) is blocked on CI: CI is unavailable and gave no result, "
            "so I have not merged it. I'll merge once CI is back.",
        )


@plan("eng-incident-notice")
def incident_notice(ctx: PlanContext) -> None:
    """Announce per the runbook (mail if chat is down), then take the ticket."""
    ctx.value("docs_read", doc_id="doc-runbook")
    notice = (
        "Incident ENG-110: checkout API is returning 5xx errors. Status: investigating. "
        "Impact: some customers cannot check out. Incident commander: Sam."
    )
    ctx.either(
        ("chat_post", {"channel": "#incidents", "text": notice}),
        (
            "mail_send",
            {
                "to": ["incidents@kestrel.example"],
                "subject": "Incident ENG-110: checkout 5xx errors",
                "body": notice,
            },
        ),
    )
    ctx.attempt(
        "tickets_update", ticket_id="ENG-110", priority="p0", status="in_progress", assignee="p-sam"
    )


@plan("eng-bump-timeout")
def bump_timeout(ctx: PlanContext) -> None:
    """Change one line on a branch and open the PR."""
    edit_on_branch(
        ctx,
        "config/timeout-60",
        "config/serving.yaml",
        "request_timeout_seconds: 30",
        "request_timeout_seconds: 60",
    )
    ctx.value(
        "code_open_pr",
        title="Raise serving timeout to 60 s",
        source="config/timeout-60",
        description="Long documents hit the 30 s limit (Raj's request).",
        reviewers=["p-raj"],
    )


@plan("eng-triage-bugs")
def triage_bugs(ctx: PlanContext) -> None:
    """Read the owners from the guide, then assign and relabel each untriaged bug."""
    guide = ctx.value("docs_read", doc_id="doc-triage")["body"]
    owners = dict(re.findall(r"^- (\w+): .*\((p-\w+)\)", guide, flags=re.MULTILINE))
    for ticket in ctx.value("tickets_search", project="ENG", label="needs-triage"):
        component = next((label for label in ticket["labels"] if label in owners), None)
        if component is not None:
            ctx.attempt(
                "tickets_update",
                ticket_id=ticket["id"],
                assignee=owners[component],
                add_labels=["triaged"],
                remove_labels=["needs-triage"],
            )


@plan("eng-postmortem")
def postmortem(ctx: PlanContext) -> None:
    """Read the incident log, write the postmortem doc, share its id."""
    log = ctx.value("chat_search", query="TLS", channel="#incidents")
    cause = next(m["text"] for m in log if m["text"].startswith("Root cause"))
    body = (
        "# Postmortem: 2026-02-27 API outage\n\n"
        "## Summary\nThe API returned 502s for all customers.\n\n"
        "## Timeline\n09:12 errors start; 09:24 cause found; 09:59 resolved.\n\n"
        f"## Root cause\n{cause}\n\n## Duration\n47 minutes (09:12 to 09:59 UTC).\n\n"
        "## Action items\n- Re-enable certificate auto-renewal (Omar).\n"
        "- Alert 14 days before any certificate expires (Sam).\n"
    )
    doc = ctx.value(
        "docs_create", title="Postmortem: 2026-02-27 API outage", body=body, folder="engineering"
    )
    ctx.attempt(
        "chat_post",
        channel="#engineering",
        text=f"Postmortem for the 2026-02-27 outage is in {doc['id']}.",
    )


@plan("eng-release-notes")
def release_notes(ctx: PlanContext) -> None:
    """Every merged PR not already in the changelog goes into the notes."""
    changelog = ctx.value("code_read_file", path="docs/CHANGELOG.md")["content"]
    released = set(re.findall(r"PR-\d+", changelog))
    merged = [p for p in ctx.value("code_list_prs", status="merged") if p["id"] not in released]
    lines = "\n".join(f"- {p['id']} {p['title']}" for p in merged)
    ctx.value(
        "docs_create",
        title="Release notes v1.5",
        body=f"# Release notes v1.5\n\n{lines}\n",
        folder="engineering",
    )


@plan("eng-fix-ci-pr9")
def fix_ci_pr9(ctx: PlanContext) -> None:
    """Find the failing check, fix the file on the PR branch, re-run CI, ask Raj."""
    ci = ctx.value("code_run_ci", pr_id="PR-9")
    pr = ctx.value("code_read_pr", pr_id="PR-9")
    if ci["ci"] != "passed":
        path = "src/metering/usage.py"
        content = ctx.value("code_read_file", path=path, branch=pr["source"])["content"]
        cleaned = "".join(
            line for line in content.splitlines(keepends=True) if "print(" not in line
        )
        ctx.attempt("code_write_file", path=path, branch=pr["source"], content=cleaned)
        ci = ctx.value("code_run_ci", pr_id="PR-9")
    if ci["ci"] == "passed":
        ctx.attempt(
            "chat_send_dm",
            person="p-raj",
            text="Hi Raj, CI is green on PR-9 (usage metering); could you review it?",
        )


@plan("eng-remove-secret")
def remove_secret(ctx: PlanContext) -> None:
    """Replace the key with the placeholder on a branch, PR for Omar, move the ticket."""
    edit_on_branch(
        ctx,
        "fix/remove-key",
        "config/serving.yaml",
        r"provider_api_key: sk-live-\w+",
        "provider_api_key: ${SERVING_API_KEY}",
    )
    ctx.attempt(
        "code_open_pr",
        title="Remove live provider key from serving config",
        source="fix/remove-key",
        description="ENG-116: the key now comes from ${SERVING_API_KEY}.",
        reviewers=["p-omar"],
    )
    ctx.attempt("tickets_update", ticket_id="ENG-116", status="in_progress")
