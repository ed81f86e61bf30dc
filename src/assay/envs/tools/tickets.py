"""Ticket tools: search, read, create, update and comment on issues in the trackers."""

from __future__ import annotations

from typing import Any

from assay.envs.records import Comment, Ticket
from assay.envs.schema import integer, parameters, string, strings
from assay.envs.tools._base import (
    Tool,
    matches_query,
    newest_first,
    registrar,
    require_text,
    resolve_person,
)
from assay.envs.universe import Universe
from assay.errors import Conflict, InvalidInput, NotFound

TOOLS: list[Tool] = []
tool = registrar(TOOLS, app="tickets")

PROJECTS = ("ENG", "SUP", "OPS", "FIN", "HIR")
STATUSES = ("open", "in_progress", "blocked", "resolved", "closed")
PRIORITIES = ("p0", "p1", "p2", "p3")


def _ticket(universe: Universe, ticket_id: str) -> Ticket:
    ticket = universe.tickets.get(ticket_id.strip().upper())
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id!r}", details={"ticket_id": ticket_id})
    return ticket


def _summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "title": ticket.title,
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee,
        "labels": list(ticket.labels),
        "updated_at": ticket.updated_at,
    }


def _full(ticket: Ticket) -> dict[str, Any]:
    return {
        **_summary(ticket),
        "project": ticket.project,
        "description": ticket.description,
        "reporter": ticket.reporter,
        "created_at": ticket.created_at,
        "comments": [c.model_dump(mode="json") for c in ticket.comments],
    }


@tool(
    "tickets_search",
    "Search tickets (most recently updated first); filters combine, every query word must appear.",
    parameters(
        query=string("Words to look for in title, description and comments."),
        project=string("Only this project.", enum=PROJECTS),
        status=string("Only this status.", enum=STATUSES),
        assignee=string("Only tickets assigned to this person (id, name or handle)."),
        label=string("Only tickets with this label."),
        limit=integer("How many tickets (default 20).", minimum=1, maximum=50),
    ),
)
def tickets_search(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Search tickets."""
    assignee = resolve_person(universe, args["assignee"]).id if "assignee" in args else None
    query, label = args.get("query", ""), args.get("label")
    hits = [
        t
        for t in universe.tickets.values()
        if ("project" not in args or t.project == args["project"])
        and ("status" not in args or t.status == args["status"])
        and (assignee is None or t.assignee == assignee)
        and (label is None or label in t.labels)
        and matches_query(universe.text_of(t, "id", "title", "description", "comments"), query)
    ]
    return [_summary(t) for t in newest_first(hits, "updated_at")[: args.get("limit", 20)]]


@tool(
    "tickets_read",
    "Read a ticket with its description and comments.",
    parameters(["ticket_id"], ticket_id=string("The ticket id, e.g. 'SUP-204'.")),
)
def tickets_read(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Read a ticket."""
    return _full(_ticket(universe, args["ticket_id"]))


@tool(
    "tickets_create",
    "Open a new ticket in a project.",
    parameters(
        ["project", "title"],
        project=string("The project.", enum=PROJECTS),
        title=string("Short summary."),
        description=string("Details."),
        priority=string("Priority (default p2).", enum=PRIORITIES),
        assignee=string("Person to assign (id, name or handle)."),
        labels=strings("Labels."),
    ),
    writes=True,
)
def tickets_create(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Create a ticket."""
    title = require_text(args["title"], "title")
    assignee = resolve_person(universe, args["assignee"]).id if "assignee" in args else None
    now = universe.clock.iso()
    ticket = Ticket(
        id=universe.new_id(args["project"]),
        project=args["project"],
        title=title,
        description=args.get("description", ""),
        priority=args.get("priority", "p2"),
        assignee=assignee,
        reporter=universe.actor,
        labels=tuple(dict.fromkeys(args.get("labels", ()))),
        created_at=now,
        updated_at=now,
    )
    universe.put("tickets", ticket)
    return _summary(ticket)


@tool(
    "tickets_update",
    "Change a ticket's status, priority, assignee or labels.",
    parameters(
        ["ticket_id"],
        ticket_id=string("The ticket id."),
        status=string("New status.", enum=STATUSES),
        priority=string("New priority.", enum=PRIORITIES),
        assignee=string("New assignee (id, name or handle); 'nobody' to unassign."),
        add_labels=strings("Labels to add."),
        remove_labels=strings("Labels to remove."),
    ),
    writes=True,
)
def tickets_update(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Update a ticket's fields."""
    ticket = _ticket(universe, args["ticket_id"])
    changes: dict[str, Any] = {}
    if "status" in args:
        if ticket.status == "closed" and args["status"] not in ("closed", "open"):
            raise Conflict(
                f"{ticket.id} is closed; reopen it first", details={"status": ticket.status}
            )
        changes["status"] = args["status"]
    if "priority" in args:
        changes["priority"] = args["priority"]
    if "assignee" in args:
        ref = args["assignee"]
        changes["assignee"] = None if ref.lower() == "nobody" else resolve_person(universe, ref).id
    if "add_labels" in args or "remove_labels" in args:
        drop = set(args.get("remove_labels", ()))
        kept = [label for label in ticket.labels if label not in drop]
        changes["labels"] = tuple(dict.fromkeys([*kept, *args.get("add_labels", ())]))
    if not changes:
        raise InvalidInput("nothing to update: give a status, priority, assignee or labels")
    updated = ticket.model_copy(update={**changes, "updated_at": universe.clock.iso()})
    universe.put("tickets", updated)
    return _summary(updated)


@tool(
    "tickets_comment",
    "Add a comment to a ticket.",
    parameters(
        ["ticket_id", "body"], ticket_id=string("The ticket id."), body=string("Comment text.")
    ),
    writes=True,
)
def tickets_comment(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Comment on a ticket."""
    ticket = _ticket(universe, args["ticket_id"])
    now = universe.clock.iso()
    comment = Comment(author=universe.actor, body=require_text(args["body"], "body"), at=now)
    universe.put(
        "tickets",
        ticket.model_copy(update={"comments": (*ticket.comments, comment), "updated_at": now}),
    )
    return {"ticket_id": ticket.id, "comments": len(ticket.comments) + 1}
