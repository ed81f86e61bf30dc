"""Build universes: hand-written fixtures from a JSON spec plus seeded background chatter.

A spec (``data/<name>/universe.json``) holds the people, channels and every record a task relies
on, and a ``filler`` section with templates; the filler is generated with a seeded generator so
the same spec always yields the same universe (and the same snapshot hash).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from assay.envs.records import COLLECTIONS, Record
from assay.envs.tasks import Task
from assay.envs.universe import Clock, Universe, parse_iso, to_iso
from assay.errors import InvalidInput

_PREFIX = {"emails": ("m", 4), "chat": ("c", 4), "events": ("ev", 3), "docs": ("doc", 3)}
_STAMPS = {
    "emails": ("sent_at",),
    "chat": ("ts",),
    "tickets": ("created_at", "updated_at"),
    "docs": ("updated_at",),
}
_NUMBERED = re.compile(r"^([A-Za-z]+)-(\d+)$")


def make_record(universe: Universe, collection: str, raw: Mapping[str, Any]) -> Record:
    """Validate ``raw`` into a record of ``collection``; fill a missing id and timestamps.

    When ``raw`` names an existing record, its fields update that record instead.

    Raises:
        InvalidInput: the collection is unknown or the fields do not fit.

    """
    if collection not in COLLECTIONS:
        raise InvalidInput(f"unknown collection {collection!r}")
    kind = COLLECTIONS[collection]
    existing = universe.collections[collection].get(str(raw.get("id", "")))
    data = {**existing.model_dump(), **raw} if existing is not None else dict(raw)
    if "id" not in data:
        if collection == "tickets":
            data["id"] = universe.new_id(str(data.get("project", "OPS")))
        else:
            prefix, width = _PREFIX.get(collection, (collection[:3], 3))
            data["id"] = universe.new_id(prefix, width)
    for stamp in _STAMPS.get(collection, ()):
        if stamp not in data or (
            existing is not None and stamp == "updated_at" and stamp not in raw
        ):
            data[stamp] = universe.clock.iso()
    if collection == "emails":
        data = _normalise_email(universe, data)
    try:
        return kind.model_validate(data)
    except ValueError as error:
        raise InvalidInput(f"bad {collection} record {data.get('id')!r}: {error}") from error


def _normalise_email(universe: Universe, data: dict[str, Any]) -> dict[str, Any]:
    data.setdefault("thread_id", "t-" + str(data["id"]).partition("-")[2])
    data["sender"] = str(data["sender"]).lower()
    for key in ("to", "cc"):
        data[key] = [str(a).lower() for a in data.get(key, ())]
    return data


def counters_for(universe: Universe) -> dict[str, int]:
    """Find the highest number used per id prefix (``ENG-104`` -> ``ENG: 104``)."""
    counters: dict[str, int] = {}
    ids = [rid for records in universe.collections.values() for rid in records]
    ids += [e.thread_id for e in universe.emails.values()]
    for rid in ids:
        match = _NUMBERED.match(rid)
        if match:
            prefix, number = match.group(1), int(match.group(2))
            counters[prefix] = max(counters.get(prefix, 0), number)
    return counters


def build_universe(spec: Mapping[str, Any]) -> Universe:
    """Build a universe from a spec: its records, then the seeded filler."""
    universe = Universe(
        name=str(spec["name"]),
        actor=str(spec["default_actor"]),
        clock=Clock(parse_iso(str(spec["start"]))),
    )
    for collection, records in spec.get("records", {}).items():
        for raw in records:
            universe.put(collection, make_record(universe, collection, raw))
    _inherit_branch_files(universe)
    if "filler" in spec:
        _add_filler(universe, spec["filler"])
    universe.counters = counters_for(universe)
    return universe


def _inherit_branch_files(universe: Universe) -> None:
    """Copy files a branch did not change from the branch it left (specs list only changes)."""
    for branch in universe.branches.values():
        parent = branch.created_from
        if parent is None:
            continue
        own = {f.path for f in universe.files.values() if f.branch == branch.id}
        for f in [f for f in universe.files.values() if f.branch == parent and f.path not in own]:
            universe.put(
                "files", f.model_copy(update={"id": f"{branch.id}:{f.path}", "branch": branch.id})
            )


def _add_filler(universe: Universe, filler: Mapping[str, Any]) -> None:
    rng = random.Random(int(filler.get("seed", 0)))
    start, end = parse_iso(filler["from"]), parse_iso(filler["until"])
    staff = sorted(p.id for p in universe.people.values() if not p.external and not p.members)

    def moment() -> str:
        return to_iso(rng.randrange(start, end) // 60 * 60)

    def fill(template: str) -> str:
        return template.format(
            name=universe.people[rng.choice(staff)].name.split()[0],
            n=rng.randrange(2, 99),
            day=rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
        )

    for i in range(int(filler["chat"]["count"])):
        line = rng.choice(filler["chat"]["lines"])
        channel = universe.channels[line["channel"]]
        author = rng.choice(sorted(channel.members) or staff)
        raw = {
            "id": f"c-{i + 1:04d}",
            "channel": channel.id,
            "author": author,
            "text": fill(rng.choice(line["texts"])),
            "ts": moment(),
        }
        universe.put("chat", make_record(universe, "chat", raw))
    for i in range(int(filler["emails"]["count"])):
        kind = rng.choice(filler["emails"]["kinds"])
        raw = {
            "id": f"m-{i + 1:04d}",
            "sender": kind["sender"],
            "to": kind["to"],
            "subject": fill(rng.choice(kind["subjects"])),
            "body": fill(rng.choice(kind["bodies"])),
            "sent_at": moment(),
        }
        universe.put("emails", make_record(universe, "emails", raw))
    _add_filler_tickets(universe, filler["tickets"], rng, staff, moment, fill)


def _add_filler_tickets(
    universe: Universe,
    spec: Mapping[str, Any],
    rng: random.Random,
    staff: list[str],
    moment: Any,
    fill: Any,
) -> None:
    numbers: dict[str, int] = {}
    for _ in range(int(spec["count"])):
        project = rng.choice(sorted(spec["titles"]))
        numbers[project] = numbers.get(project, 0) + 1
        stamp = moment()
        raw = {
            "id": f"{project}-{numbers[project]:03d}",
            "project": project,
            "title": fill(rng.choice(spec["titles"][project])),
            "status": rng.choice(["resolved", "closed"]),
            "priority": rng.choice(["p2", "p3"]),
            "assignee": rng.choice(staff),
            "reporter": rng.choice(staff),
            "created_at": stamp,
            "updated_at": stamp,
        }
        universe.put("tickets", make_record(universe, "tickets", raw))


@cache
def _base(name: str) -> Universe:
    text = resources.files("assay.envs").joinpath("data", name, "universe.json").read_text("utf-8")
    return build_universe(json.loads(text))


def load_universe(name: str = "startup") -> Universe:
    """Return a fresh copy of a bundled universe (built once per process, then forked)."""
    return _base(name).fork()


def initial_universe(task: Task) -> Universe:
    """Build the universe a task starts from: its bundled universe, fixtures and actor."""
    universe = load_universe(task.universe)
    if task.actor not in universe.people:
        raise InvalidInput(f"task {task.id}: unknown actor {task.actor!r}")
    universe.actor = task.actor
    for collection, records in task.setup.items():
        for raw in records:
            universe.put(collection, make_record(universe, collection, raw))
    if task.setup:
        universe.counters = counters_for(universe)
    return universe
