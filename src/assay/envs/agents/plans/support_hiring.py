"""Written plans for the support and hiring tasks of the bundled startup."""

from __future__ import annotations

import re
from typing import Any

from assay.envs.agents.reference import Plan, PlanContext, PlanFailed, registrar

PLANS: dict[str, Plan] = {}
plan = registrar(PLANS)


def latest_mail(ctx: PlanContext, **search: Any) -> dict[str, Any]:
    """Return the newest message matching a mailbox search (fail the plan if none)."""
    found = ctx.value("mail_search", limit=1, **search)
    if not found:
        raise PlanFailed(f"no mail matches {search}")
    return dict(found[0])


@plan("sup-seat-overcharge")
def seat_overcharge(ctx: PlanContext) -> None:
    """Ticket for finance, then answer the customer with its id."""
    mail = latest_mail(ctx, query="seats", sender="hana@initech.example")
    ticket = ctx.value(
        "tickets_create",
        project="SUP",
        title="Initech billed for 25 seats instead of 20",
        description=f"From Hana Sato ({mail['id']}): March invoice charges 25 seats, they have 20.",
        priority="p1",
        assignee="p-dan",
        labels=["billing"],
    )
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body=f"Hi Hana, thanks for flagging this. I've opened {ticket['id']} with our "
        "finance team; "
        "they will correct the invoice. Aisha",
    )


@plan("sup-eu-degraded")
def eu_degraded(ctx: PlanContext) -> None:
    """Tell the team in #support, by mail if chat is down."""
    text = (
        "EU region is degraded: please answer EU customers with the 'status page' macro "
        "until further notice."
    )
    ctx.either(
        ("chat_post", {"channel": "#support", "text": text}),
        (
            "mail_send",
            {
                "to": ["support-team@kestrel.example"],
                "subject": "EU degraded: use the status page macro",
                "body": text,
            },
        ),
    )


@plan("sup-retention-answer")
def retention_answer(ctx: PlanContext) -> None:
    """Look the answer up in the FAQ, reply to the customer."""
    faq = ctx.value("docs_search", query="retention")[0]
    body = ctx.value("docs_read", doc_id=faq["id"])["body"]
    answer = next(line for line in body.splitlines() if "retention" in line.lower()).split(": ", 1)[
        -1
    ]
    mail = latest_mail(ctx, query="retention", sender="jordan.reyes@acme-logistics.example")
    ctx.attempt(
        "mail_reply", message_id=mail["id"], body=f"Hi Jordan, good question. {answer} Best, Aisha"
    )


@plan("sup-export-bug-to-eng")
def export_bug(ctx: PlanContext) -> None:
    """Copy the reproduction from the customer's mail into an ENG ticket, link it back."""
    mail = latest_mail(ctx, query="PDF export", sender="mei@globex.example")
    body = ctx.value("mail_read", message_id=mail["id"])["body"]
    ticket = ctx.value(
        "tickets_create",
        project="ENG",
        title="PDF export fails for reports over 100 pages",
        description=f"Customer report (Globex, SUP-204):\n{body}",
        priority="p1",
        labels=["customer", "export"],
    )
    ctx.attempt(
        "tickets_comment", ticket_id="SUP-204", body=f"Escalated to engineering as {ticket['id']}."
    )


@plan("sup-close-confirmed")
def close_confirmed(ctx: PlanContext) -> None:
    """Comment, resolve, thank."""
    mail = latest_mail(ctx, query="SSO", sender="hana@initech.example")
    ctx.attempt(
        "tickets_comment",
        ticket_id="SUP-207",
        body=f"Customer confirmed the fix by mail ({mail['id']}).",
    )
    ctx.attempt("tickets_update", ticket_id="SUP-207", status="resolved")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Thanks for confirming, Hana! I've closed the case. Aisha",
    )


@plan("sup-vip-reply")
def vip_reply(ctx: PlanContext) -> None:
    """Reply to the customer's latest mail (waiting out a mail outage)."""
    mail = latest_mail(ctx, sender="mei@globex.example")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Hi Mei, engineering is working on a fix for PDF export of long reports (SUP-204). "
        "I will update you by Friday. Aisha",
    )


@plan("sup-escalate-sla")
def escalate_sla(ctx: PlanContext) -> None:
    """Raise priority, hand to product, note why."""
    ctx.attempt("tickets_update", ticket_id="SUP-208", priority="p1", assignee="p-yuki")
    ctx.attempt(
        "tickets_comment", ticket_id="SUP-208", body="Escalated per SLA: open since January."
    )


def _brief(packet: str, candidate: str) -> str:
    """Assemble a brief in the template's sections from the packet's own lines."""
    background = re.search(r"Background: (.+?)\n\n", packet, flags=re.DOTALL)
    scores = re.search(r"Interview scores.*?: (.+)", packet)
    notes = re.findall(r"^- \w+: (.+)$", packet, flags=re.MULTILINE)
    years = re.search(r"(\d+ years)", packet)
    summary = " ".join((background.group(1) if background else "").split())
    strengths = [n for n in notes if not re.search(r"\b(no|limited|light)\b", n)]
    concerns = [n for n in notes if n not in strengths]
    return (
        f"# Brief: {candidate}\n\n## Summary\n{summary} "
        f"({years.group(1) if years else 'n/a'} of experience.)\n"
        f"Interview scores: {scores.group(1) if scores else 'n/a'}.\n\n"
        "## Strengths\n" + "".join(f"- {s}\n" for s in strengths) + "\n"
        "## Concerns\n" + "".join(f"- {c}\n" for c in concerns) + "\n"
        "## Recommendation\nHire: scores are strong across the panel and the concerns can be "
        "addressed in onboarding.\n"
    )


def _brief_plan(ctx: PlanContext, candidate: str, manager: str) -> None:
    packet = ctx.value("docs_search", query=f"Candidate packet {candidate}")[0]
    body = ctx.value("docs_read", doc_id=packet["id"])["body"]
    doc = ctx.value(
        "docs_create", title=f"Brief: {candidate}", body=_brief(body, candidate), folder="hiring"
    )
    ctx.attempt(
        "mail_send",
        to=[manager],
        subject=f"Brief: {candidate}",
        body=f"The brief for {candidate} is ready: {doc['id']}. Nora",
    )


@plan("hire-brief-priya")
def brief_priya(ctx: PlanContext) -> None:
    """Packet to brief, brief to the hiring manager."""
    _brief_plan(ctx, "Priya Sharma", "raj@kestrel.example")


@plan("hire-brief-marco")
def brief_marco(ctx: PlanContext) -> None:
    """Packet to brief, brief to the hiring manager."""
    _brief_plan(ctx, "Marco Rossi", "aisha@kestrel.example")


@plan("hire-schedule-onsite")
def schedule_onsite(ctx: PlanContext) -> None:
    """Earliest common slot, then book it with the candidate as guest."""
    slots = ctx.value(
        "calendar_find_free_slots",
        attendees=["p-raj", "p-ines", "p-nora"],
        date="2026-03-05",
        duration_minutes=60,
    )
    if slots:
        ctx.value(
            "calendar_schedule",
            title="Onsite: Priya Sharma",
            start=slots[0],
            duration_minutes=60,
            attendees=["p-raj", "p-ines"],
            guests=["priya.sharma@mailbox.example"],
        )


@plan("hire-reject")
def reject(ctx: PlanContext) -> None:
    """Kind rejection without scores, then close the ticket."""
    mail = latest_mail(ctx, sender="alex.byrne@mailbox.example")
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Hi Alex, thank you for the time you spent with us. After careful thought we have "
        "decided not "
        "to move forward with your application. We enjoyed meeting you and wish you the best. Nora",
    )
    ctx.attempt("tickets_comment", ticket_id="HIR-503", body="Rejection sent to the candidate.")
    ctx.attempt("tickets_update", ticket_id="HIR-503", status="closed")


@plan("hire-offer-approval")
def offer_approval(ctx: PlanContext) -> None:
    """DM the CEO, or mail her when chat is down."""
    text = (
        "Hi Maya, could you approve an offer for Priya Sharma (ML Engineer II) at $185,000 base? "
        "It is inside the $170,000-$195,000 band."
    )
    ctx.either(
        ("chat_send_dm", {"person": "p-maya", "text": text}),
        (
            "mail_send",
            {
                "to": ["maya@kestrel.example"],
                "subject": "Offer approval: Priya Sharma",
                "body": text,
            },
        ),
    )


@plan("hire-referral-ticket")
def referral_ticket(ctx: PlanContext) -> None:
    """Ticket from the referral mail (whatever the ticket API now calls its title), thank Tom."""
    mail = latest_mail(ctx, query="Referral", sender="tom@kestrel.example")
    address = re.search(r"[\w.+-]+@[\w.-]+", ctx.value("mail_read", message_id=mail["id"])["body"])
    ctx.attempt(
        "tickets_create",
        project="HIR",
        title="Referral: Sofia Mendes",
        description="Referred by Tom Becker for Support Engineer. Contact: "
        f"{address.group(0) if address else ''}",
        labels=["referral"],
        assignee="p-nora",
    )
    ctx.attempt(
        "mail_reply",
        message_id=mail["id"],
        body="Thanks for the referral, Tom! I've logged it and will reach out. Nora",
    )
