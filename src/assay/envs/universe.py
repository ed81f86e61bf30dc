"""The universe: every app's state, the people in it and a frozen clock, with a snapshot hash.

A universe is a set of named collections of frozen records (see ``records.py``). Forking copies
the collection dicts but shares the records, so a fresh episode costs microseconds; diffing
compares records by identity first, so grading a diff is proportional to what changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import orjson

from assay.envs.records import (
    COLLECTIONS,
    Branch,
    CalendarEvent,
    Channel,
    ChatMessage,
    CiCheck,
    Doc,
    Email,
    Person,
    PullRequest,
    Record,
    RepoFile,
    Ticket,
)
from assay.errors import InvalidInput


def to_iso(seconds: int) -> str:
    """Format epoch seconds as an ISO 8601 UTC timestamp (``2026-03-02T09:00:00Z``)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> int:
    """Parse an ISO 8601 date-time (UTC unless an offset is given) into epoch seconds.

    Raises:
        InvalidInput: the text is not a date-time.

    """
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidInput(f"not an ISO 8601 date-time: {text!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


_TEXT_CACHE_LIMIT = 200_000


class Clock:
    """A frozen clock: time moves only when the episode advances it, never with wall time."""

    __slots__ = ("now",)

    def __init__(self, now: int) -> None:
        self.now = now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (rounded to whole seconds)."""
        self.now += round(seconds)

    def iso(self) -> str:
        """Return the current time as an ISO 8601 UTC timestamp."""
        return to_iso(self.now)


@dataclass(frozen=True, slots=True)
class Change:
    """One record that differs between two universes."""

    collection: str
    id: str
    kind: str  # "added", "removed" or "modified"
    before: Record | None
    after: Record | None


class Universe:
    """The whole state of a simulated company: apps, people, clock and id counters.

    Args:
        name: the universe's name (``"startup"`` for the bundled one).
        actor: id of the person the agent acts as.
        clock: the frozen clock.
        collections: records by collection name, then by id.
        counters: the last number used per id prefix, so new ids are deterministic.

    """

    __slots__ = ("_text", "actor", "clock", "collections", "counters", "name")

    def __init__(
        self,
        *,
        name: str,
        actor: str,
        clock: Clock,
        collections: Mapping[str, Mapping[str, Record]] | None = None,
        counters: Mapping[str, int] | None = None,
    ) -> None:
        given = collections or {}
        self.name = name
        self.actor = actor
        self.clock = clock
        self.collections: dict[str, dict[str, Record]] = {
            key: dict(given.get(key, {})) for key in COLLECTIONS
        }
        self.counters: dict[str, int] = dict(counters or {})
        self._text: dict[int, tuple[Record, tuple[str, ...], str]] = {}

    # Typed views of the collections, for tools and graders.
    @property
    def people(self) -> dict[str, Person]:
        """People by id."""
        return cast(dict[str, Person], self.collections["people"])

    @property
    def emails(self) -> dict[str, Email]:
        """Mail messages by id."""
        return cast(dict[str, Email], self.collections["emails"])

    @property
    def channels(self) -> dict[str, Channel]:
        """Chat channels and DMs by id."""
        return cast(dict[str, Channel], self.collections["channels"])

    @property
    def chat(self) -> dict[str, ChatMessage]:
        """Chat messages by id."""
        return cast(dict[str, ChatMessage], self.collections["chat"])

    @property
    def tickets(self) -> dict[str, Ticket]:
        """Tickets by id."""
        return cast(dict[str, Ticket], self.collections["tickets"])

    @property
    def branches(self) -> dict[str, Branch]:
        """Repository branches by name."""
        return cast(dict[str, Branch], self.collections["branches"])

    @property
    def files(self) -> dict[str, RepoFile]:
        """Repository files by ``branch:path``."""
        return cast(dict[str, RepoFile], self.collections["files"])

    @property
    def pull_requests(self) -> dict[str, PullRequest]:
        """Pull requests by id."""
        return cast(dict[str, PullRequest], self.collections["pull_requests"])

    @property
    def ci_checks(self) -> dict[str, CiCheck]:
        """CI rules by name."""
        return cast(dict[str, CiCheck], self.collections["ci_checks"])

    @property
    def events(self) -> dict[str, CalendarEvent]:
        """Calendar events by id."""
        return cast(dict[str, CalendarEvent], self.collections["events"])

    @property
    def docs(self) -> dict[str, Doc]:
        """Documents by id."""
        return cast(dict[str, Doc], self.collections["docs"])

    @property
    def actor_person(self) -> Person:
        """The person the agent acts as."""
        return self.people[self.actor]

    def fork(self) -> Universe:
        """Return an independent copy that shares the (frozen) records with this one."""
        twin = Universe(name=self.name, actor=self.actor, clock=Clock(self.clock.now))
        twin.collections = {key: records.copy() for key, records in self.collections.items()}
        twin.counters = self.counters.copy()
        twin._text = self._text  # shared: entries are checked by identity, so forks agree
        return twin

    def new_id(self, prefix: str, width: int = 3) -> str:
        """Allocate the next id for ``prefix`` (``SUP`` -> ``SUP-214``), deterministically."""
        number = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = number
        return f"{prefix}-{number:0{width}d}"

    def put(self, collection: str, record: Record) -> None:
        """Store ``record`` in ``collection``, replacing any record with the same id."""
        self.collections[collection][record.id] = record

    def text_of(self, record: Record, *fields: str) -> str:
        """Lower-cased searchable text of ``record`` (cached; records are immutable)."""
        cached = self._text.get(id(record))
        if cached is not None and cached[0] is record and cached[1] == fields:
            return cached[2]
        text = " ".join(str(getattr(record, name)) for name in fields).lower()
        if len(self._text) > _TEXT_CACHE_LIMIT:
            self._text.clear()  # records of finished episodes pile up; start over
        self._text[id(record)] = (record, fields, text)
        return text

    def to_state(self) -> dict[str, Any]:
        """Return the universe as plain JSON-ready data (the inverse of ``from_state``)."""
        return {
            "name": self.name,
            "actor": self.actor,
            "now": self.clock.iso(),
            "counters": dict(sorted(self.counters.items())),
            "collections": {
                key: {
                    rid: record.model_dump(mode="json") for rid, record in sorted(records.items())
                }
                for key, records in self.collections.items()
            },
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Universe:
        """Rebuild a universe from ``to_state`` output (validating every record).

        Raises:
            InvalidInput: a collection is unknown or a record does not fit its type.

        """
        collections: dict[str, dict[str, Record]] = {}
        for key, records in dict(state.get("collections", {})).items():
            if key not in COLLECTIONS:
                raise InvalidInput(f"unknown collection {key!r}")
            kind = COLLECTIONS[key]
            collections[key] = {rid: kind.model_validate(raw) for rid, raw in records.items()}
        return cls(
            name=str(state.get("name", "universe")),
            actor=str(state["actor"]),
            clock=Clock(parse_iso(str(state["now"]))),
            collections=collections,
            counters=dict(state.get("counters", {})),
        )

    def snapshot_hash(self) -> str:
        """Hash (SHA-256) the canonical JSON state: equal states give equal hashes."""
        blob = orjson.dumps(self.to_state(), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(blob).hexdigest()


def diff(before: Universe, after: Universe) -> list[Change]:
    """Every record added, removed or modified from ``before`` to ``after``, in a stable order."""
    changes: list[Change] = []
    for key in COLLECTIONS:
        old, new = before.collections[key], after.collections[key]
        changes.extend(_diff_collection(key, old, new))
    return changes


def _diff_collection(key: str, old: dict[str, Record], new: dict[str, Record]) -> Iterator[Change]:
    for rid in sorted(old.keys() | new.keys()):
        a, b = old.get(rid), new.get(rid)
        if a is b:
            continue
        if a is None:
            yield Change(key, rid, "added", None, b)
        elif b is None:
            yield Change(key, rid, "removed", a, None)
        elif a != b:
            yield Change(key, rid, "modified", a, b)
