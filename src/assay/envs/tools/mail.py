"""Mail tools: search, read and send messages in the actor's mailbox."""

from __future__ import annotations

from typing import Any

from assay.envs.records import Email
from assay.envs.schema import boolean, integer, parameters, string, strings
from assay.envs.tools._base import (
    Tool,
    matches_query,
    newest_first,
    registrar,
    require_text,
    resolve_address,
    snippet,
)
from assay.envs.universe import Universe
from assay.errors import InvalidInput, NotFound

TOOLS: list[Tool] = []
tool = registrar(TOOLS, app="mail")

_SEARCH_FIELDS = ("subject", "body", "sender", "to", "cc")


def mailbox_addresses(universe: Universe) -> frozenset[str]:
    """Return the actor's address plus every mailing list the actor belongs to."""
    me = universe.actor_person
    lists = (p.email for p in universe.people.values() if me.id in p.members)
    return frozenset(address.lower() for address in (me.email, *lists))


def in_mailbox(message: Email, addresses: frozenset[str]) -> bool:
    """Whether ``message`` was sent from or to one of ``addresses``."""
    if message.sender in addresses:
        return True
    return any(a in addresses for a in message.to) or any(a in addresses for a in message.cc)


def _summary(message: Email) -> dict[str, Any]:
    return {
        "id": message.id,
        "thread_id": message.thread_id,
        "from": message.sender,
        "to": list(message.to),
        "subject": message.subject,
        "date": message.sent_at,
        "snippet": snippet(message.body),
    }


def _full(message: Email) -> dict[str, Any]:
    return {**_summary(message), "cc": list(message.cc), "body": message.body}


def _visible(universe: Universe, message_id: str) -> Email:
    message = universe.emails.get(message_id)
    if message is None or not in_mailbox(message, mailbox_addresses(universe)):
        raise NotFound(
            f"no message {message_id!r} in your mailbox", details={"message_id": message_id}
        )
    return message


@tool(
    "mail_search",
    "Search your mailbox (newest first). Every word of the query must appear in the subject, "
    "body or addresses; an empty query lists the latest messages.",
    parameters(
        query=string("Words to look for."),
        sender=string("Only messages from this address."),
        limit=integer("How many messages to return (default 10).", minimum=1, maximum=50),
    ),
)
def mail_search(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Search the actor's mailbox."""
    addresses = mailbox_addresses(universe)
    query = args.get("query", "")
    sender = args.get("sender", "").lower()
    hits = [
        m
        for m in universe.emails.values()
        if in_mailbox(m, addresses)
        and (not sender or m.sender == sender)
        and matches_query(universe.text_of(m, *_SEARCH_FIELDS), query)
    ]
    return [_summary(m) for m in newest_first(hits, "sent_at")[: args.get("limit", 10)]]


@tool(
    "mail_read",
    "Read one message in full.",
    parameters(["message_id"], message_id=string("The message id, e.g. 'm-0042'.")),
)
def mail_read(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Read one message."""
    return _full(_visible(universe, args["message_id"]))


@tool(
    "mail_read_thread",
    "Read every message of a thread you are part of, oldest first.",
    parameters(["thread_id"], thread_id=string("The thread id, e.g. 't-0007'.")),
)
def mail_read_thread(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Read a thread."""
    addresses = mailbox_addresses(universe)
    thread = [
        m
        for m in universe.emails.values()
        if m.thread_id == args["thread_id"] and in_mailbox(m, addresses)
    ]
    if not thread:
        raise NotFound(f"no thread {args['thread_id']!r} in your mailbox", details=args)
    return [_full(m) for m in sorted(thread, key=lambda m: (m.sent_at, m.id))]


@tool(
    "mail_send",
    "Send a new message. Recipients may be addresses, names, handles or person ids.",
    parameters(
        ["to", "subject", "body"],
        to=strings("Recipients."),
        subject=string("Subject line."),
        body=string("Message text."),
        cc=strings("Copied recipients."),
    ),
    writes=True,
)
def mail_send(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Send a new message from the actor."""
    if not args["to"]:
        raise InvalidInput("'to' needs at least one recipient")
    to = tuple(resolve_address(universe, r) for r in args["to"])
    cc = tuple(resolve_address(universe, r) for r in args.get("cc", ()))
    subject = require_text(args["subject"], "subject")
    body = require_text(args["body"], "body")
    message = Email(
        id=universe.new_id("m", 4),
        thread_id=universe.new_id("t", 4),
        sender=universe.actor_person.email.lower(),
        to=to,
        cc=cc,
        subject=subject,
        body=body,
        sent_at=universe.clock.iso(),
    )
    universe.put("emails", message)
    return {"id": message.id, "thread_id": message.thread_id, "to": list(message.to)}


@tool(
    "mail_reply",
    "Reply to a message in its thread (to its sender; with reply_all, to everyone on it).",
    parameters(
        ["message_id", "body"],
        message_id=string("The message to answer."),
        body=string("Reply text."),
        reply_all=boolean("Also reply to the other recipients."),
    ),
    writes=True,
)
def mail_reply(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Reply to a message."""
    original = _visible(universe, args["message_id"])
    me = universe.actor_person.email.lower()
    to = original.to if original.sender == me else (original.sender,)
    others = (*original.to, *original.cc) if args.get("reply_all") else ()
    cc = tuple(dict.fromkeys(a for a in others if a not in to and a != me))
    subject = original.subject if original.subject.startswith("Re:") else f"Re: {original.subject}"
    body = require_text(args["body"], "body")
    message = Email(
        id=universe.new_id("m", 4),
        thread_id=original.thread_id,
        sender=me,
        to=tuple(to),
        cc=cc,
        subject=subject,
        body=body,
        sent_at=universe.clock.iso(),
        in_reply_to=original.id,
    )
    universe.put("emails", message)
    return {
        "id": message.id,
        "thread_id": message.thread_id,
        "to": list(message.to),
        "cc": list(cc),
    }
