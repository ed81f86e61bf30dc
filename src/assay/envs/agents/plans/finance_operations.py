"""Written plans for the finance and operations tasks of the bundled startup."""

from __future__ import annotations

import re

from assay.envs.agents.plans.support_hiring import latest_mail
from assay.envs.agents.reference import Plan, PlanContext, registrar

PLANS: dict[str, Plan] = {}
plan = registrar(PLANS)

_VENDORS = {
    "AWS": "aws-billing@amazon.example",
    "GPUCloud": "billing@gpucloud.example",
    "Datadog": "renewals@datadog.example",
}


def february_invoices(ctx: PlanContext) -> dict[str, int]:
    """Read the February cloud invoice amounts, by vendor, from the finance mailbox."""
    amounts = {}
    for vendor, sender in _VENDORS.items():
        for mail in ctx.value("mail_search", query="February", sender=sender):
            found = re.search(
                r"\$([\d,]+)\.\d\d", ctx.value("mail_read", message_id=mail["id"])["body"]
            )
            if found:
                amounts[vendor] = int(found.group(1).replace(",", ""))
                break
    return amounts


@plan("fin-feb-cloud-spend")
def feb_cloud_spend(ctx: PlanContext) -> None:
    """Sum the invoices, answer Maya's mail."""
    amounts = february_invoices(ctx)
    parts = ", ".join(f"{vendor} ${amount:,}" for vendor, amount in amounts.items())
    mail = latest_mail(ctx, query="cloud spend", sender="maya@kestrel.example")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body=f"Maya, February cloud spend was ${sum(amounts.values()):,} in total ({parts}). "
        "Daniel",
    )


@plan("fin-approve-gpu-invoice")
def approve_gpu_invoice(ctx: PlanContext) -> None:
    """Approve by reply (retrying 429s), then record it in the tracker."""
    mail = latest_mail(ctx, query="GC-2026-02", sender="billing@gpucloud.example")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Invoice GC-2026-02 is approved for payment on 2026-03-15. Daniel",
    )
    ctx.attempt(
        "docs_append",
        doc_id="doc-spend",
        text="- 2026-02 GPUCloud: $18,400 (GC-2026-02, approved, paid 2026-03-15)",
    )


@plan("fin-expense-question")
def expense_question(ctx: PlanContext) -> None:
    """Check the policy, answer by DM."""
    policy = ctx.value("docs_read", doc_id="doc-expense")["body"]
    limit = re.search(r"Conference tickets up to (\$[\d,]+)", policy)
    ctx.attempt(
        "chat_send_dm",
        person="p-tom",
        text="Yes, it's reimbursable: conference tickets up to "
        f"{limit.group(1) if limit else 'the limit'} "
        "are covered with manager approval. Raj's OK counts; send me the receipt.",
    )


@plan("fin-refund-confirmation")
def refund_confirmation(ctx: PlanContext) -> None:
    """Answer Jordan (the mail service may time out), resolve the ticket."""
    mail = latest_mail(ctx, query="refund", sender="jordan.reyes@acme-logistics.example")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Hi Jordan, yes: the duplicate $4,800 charge on INV-2291 was refunded as RF-7731. "
        "Daniel",
    )
    ctx.attempt(
        "tickets_comment", ticket_id="SUP-209", body="Refunded as RF-7731; customer informed."
    )
    ctx.attempt("tickets_update", ticket_id="SUP-209", status="resolved")


@plan("fin-budget-headcount")
def budget_headcount(ctx: PlanContext) -> None:
    """Change the headcount line only, then tell Lena."""
    doc = ctx.value("docs_read", doc_id="doc-budget")
    body = re.sub(
        r"Headcount plan: 14 by June \(([^)]*)\)",
        "Headcount plan: 16 by June (hires: 1 ML engineer, 3 support engineers)",
        doc["body"],
    )
    ctx.value("docs_update", doc_id="doc-budget", body=body)
    mail = latest_mail(ctx, query="headcount", sender="lena@kestrel.example")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Done: the budget plan now says 16 by June. Daniel",
    )


@plan("fin-spend-tracker")
def spend_tracker(ctx: PlanContext) -> None:
    """Append the February lines; ignore whatever else lands in the inbox."""
    amounts = february_invoices(ctx)
    lines = "\n".join(f"- 2026-02 {vendor}: ${amount:,}" for vendor, amount in amounts.items())
    ctx.attempt("docs_append", doc_id="doc-spend", text=lines)


@plan("ops-q2-planning")
def q2_planning(ctx: PlanContext) -> None:
    """Earliest slot for everyone, book it."""
    people = ["p-maya", "p-raj", "p-yuki", "p-lena"]
    slots = ctx.value(
        "calendar_find_free_slots", attendees=people, date="2026-03-04", duration_minutes=60
    )
    if slots:
        ctx.value(
            "calendar_schedule",
            title="Q2 planning",
            start=slots[0],
            duration_minutes=60,
            attendees=people[:3],
        )


@plan("ops-laptop-request")
def laptop_request(ctx: PlanContext) -> None:
    """Read the request, open the ticket, tell Yuki."""
    ctx.value("chat_read", channel="dm-p-lena-p-yuki", limit=5)
    ticket = ctx.value(
        "tickets_create",
        project="OPS",
        title="Replacement laptop for Yuki Tanaka",
        description="2021 laptop battery lasts about an hour.",
        assignee="p-lena",
        labels=["hardware"],
    )
    ctx.attempt(
        "chat_send_dm",
        person="p-yuki",
        text=f"Hi Yuki, I opened {ticket['id']} for your new laptop.",
    )


@plan("ops-office-closure")
def office_closure(ctx: PlanContext) -> None:
    """Announce in #general, by mail to everyone if chat is down."""
    text = (
        "The office is closed on Friday 2026-03-06 for electrical work. "
        "Please work from home that day."
    )
    ctx.either(
        ("chat_post", {"channel": "#general", "text": text}),
        (
            "mail_send",
            {
                "to": ["all@kestrel.example"],
                "subject": "Office closed Friday 2026-03-06",
                "body": text,
            },
        ),
    )


@plan("ops-cancel-vendor-demo")
def cancel_vendor_demo(ctx: PlanContext) -> None:
    """Find and cancel the demo (waiting out a calendar outage), tell the venue."""
    events = ctx.value("calendar_list_events", date="2026-03-05")
    demo = next((e for e in events if "Harbour Hall" in e["title"]), None)
    if demo is not None:
        ctx.attempt("calendar_cancel", event_id=demo["id"])
    mail = latest_mail(ctx, sender="events@harbourhall.example")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Hi, we need to cancel Thursday's demo; sorry for the short notice. Lena",
    )


@plan("ops-datadog-renewal")
def datadog_renewal(ctx: PlanContext) -> None:
    """Ask for the quote, move the ticket."""
    mail = latest_mail(ctx, query="renews", sender="renewals@datadog.example")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Hi Carla, could you send us a renewal quote for the same plan? Lena",
    )
    ctx.attempt("tickets_update", ticket_id="OPS-301", status="in_progress")
    ctx.attempt(
        "tickets_comment", ticket_id="OPS-301", body="Renewal quote requested from Carla Diaz."
    )


@plan("ops-onboarding")
def onboarding(ctx: PlanContext) -> None:
    """Checklist from the template, then one ticket per item (pacing through a rate limit)."""
    template = ctx.value("docs_read", doc_id="doc-onboarding-template")["body"]
    ctx.value(
        "docs_create",
        title="Onboarding: Kofi Mensah",
        body=template.replace("<name>", "Kofi Mensah"),
        folder="operations",
    )
    for title in (
        "Laptop for Kofi Mensah",
        "Accounts for Kofi Mensah",
        "Onboarding buddy for Kofi Mensah",
    ):
        ctx.attempt(
            "tickets_create", project="OPS", title=title, assignee="p-lena", labels=["onboarding"]
        )


@plan("ops-page-oncall")
def page_oncall(ctx: PlanContext) -> None:
    """Read the rota (re-reading a stale copy), DM this week's primary."""
    ctx.value("tickets_read", ticket_id="ENG-110")
    rota = ctx.fresh("docs_read", doc_id="doc-oncall")["body"]
    primary = re.search(r"Week of 2026-03-02: primary [^(]+\(@(\w+)\)", rota)
    if primary:
        ctx.attempt(
            "chat_send_dm",
            person=primary.group(1),
            text="Checkout errors are back (ENG-110) and you're primary on-call: "
            "can you take a look?",
        )
