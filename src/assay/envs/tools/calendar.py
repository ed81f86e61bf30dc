"""Calendar tools: list events, find free slots, schedule and cancel meetings."""

from __future__ import annotations

from typing import Any

from assay.envs.records import CalendarEvent
from assay.envs.schema import integer, parameters, string, strings
from assay.envs.tools._base import Tool, registrar, require_text, resolve_address, resolve_person
from assay.envs.universe import Universe, parse_iso, to_iso
from assay.errors import Conflict, InvalidInput, NotFound

TOOLS: list[Tool] = []
tool = registrar(TOOLS, app="calendar")

DAY_START, DAY_END = 9 * 3600, 17 * 3600  # working hours, UTC
SLOT = 30 * 60


def _day(date: str) -> int:
    if len(date) != 10:
        raise InvalidInput(f"'date' must look like 2026-03-05, got {date!r}")
    return parse_iso(f"{date}T00:00:00Z")


def _busy(universe: Universe, people: list[str], start: int, end: int) -> list[dict[str, Any]]:
    clashes = []
    for event in universe.events.values():
        if event.status != "confirmed":
            continue
        if parse_iso(event.start) < end and start < parse_iso(event.end):
            who = sorted(set(people) & {event.organizer, *event.attendees})
            if who:
                clashes.append({"event_id": event.id, "title": event.title, "people": who})
    return clashes


def _view(event: CalendarEvent) -> dict[str, Any]:
    return event.model_dump(mode="json")


@tool(
    "calendar_list_events",
    "List someone's confirmed meetings (default: yours), optionally on one date (YYYY-MM-DD).",
    parameters(date=string("Day, e.g. '2026-03-05'."), person=string("Person id, name or handle.")),
)
def calendar_list_events(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """List events."""
    who = resolve_person(universe, args["person"]).id if "person" in args else universe.actor
    date = args.get("date")
    if date is not None:
        _day(date)
    events = [
        e
        for e in universe.events.values()
        if e.status == "confirmed"
        and who in (e.organizer, *e.attendees)
        and (date is None or e.start.startswith(date))
    ]
    return [_view(e) for e in sorted(events, key=lambda e: (e.start, e.id))]


@tool(
    "calendar_find_free_slots",
    "Find start times on a date when every attendee is free for the whole duration "
    "(working hours 09:00-17:00 UTC, 30-minute steps).",
    parameters(
        ["attendees", "date", "duration_minutes"],
        attendees=strings("People who must all be free."),
        date=string("Day, e.g. '2026-03-05'."),
        duration_minutes=integer("Meeting length.", minimum=15, maximum=480),
    ),
)
def calendar_find_free_slots(universe: Universe, args: dict[str, Any]) -> list[str]:
    """Find free slots."""
    people = [resolve_person(universe, a).id for a in args["attendees"]]
    day, length = _day(args["date"]), args["duration_minutes"] * 60
    starts = range(day + DAY_START, day + DAY_END - length + 1, SLOT)
    return [
        to_iso(s)
        for s in starts
        if s >= universe.clock.now and not _busy(universe, people, s, s + length)
    ]


@tool(
    "calendar_schedule",
    "Schedule a meeting; fails if an attendee is busy then. Guests are outside addresses.",
    parameters(
        ["title", "start", "duration_minutes", "attendees"],
        title=string("Meeting title."),
        start=string("Start, ISO 8601 in UTC, e.g. '2026-03-05T14:00:00Z'."),
        duration_minutes=integer("Length.", minimum=15, maximum=480),
        attendees=strings("Colleagues to invite (ids, names or handles)."),
        guests=strings("Outside mail addresses to invite."),
        description=string("Agenda."),
    ),
    writes=True,
)
def calendar_schedule(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Schedule a meeting."""
    title = require_text(args["title"], "title")
    start = parse_iso(args["start"])
    if start < universe.clock.now:
        raise InvalidInput("the start is in the past", details={"now": universe.clock.iso()})
    end = start + args["duration_minutes"] * 60
    attendees = tuple(dict.fromkeys(resolve_person(universe, a).id for a in args["attendees"]))
    guests = tuple(resolve_address(universe, g) for g in args.get("guests", ()))
    clashes = _busy(universe, [universe.actor, *attendees], start, end)
    if clashes:
        raise Conflict("someone is busy at that time", details={"clashes": clashes})
    event = CalendarEvent(
        id=universe.new_id("ev"),
        title=title,
        start=to_iso(start),
        end=to_iso(end),
        organizer=universe.actor,
        attendees=attendees,
        guests=guests,
        description=args.get("description", ""),
    )
    universe.put("events", event)
    return _view(event)


@tool(
    "calendar_cancel",
    "Cancel a meeting you organise or attend.",
    parameters(["event_id"], event_id=string("Event id.")),
    writes=True,
)
def calendar_cancel(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Cancel a meeting."""
    event = universe.events.get(args["event_id"])
    if event is None or universe.actor not in (event.organizer, *event.attendees):
        raise NotFound(f"no event {args['event_id']!r} on your calendar", details=args)
    if event.status == "cancelled":
        raise Conflict(f"{event.id} is already cancelled")
    universe.put("events", event.model_copy(update={"status": "cancelled"}))
    return {"event_id": event.id, "status": "cancelled"}
