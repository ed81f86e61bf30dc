"""The typed records a universe is made of: people, mail, chat, tickets, code, calendar, docs.

Records are frozen: tools never edit one in place, they store a modified copy. That makes a
universe cheap to fork (copy the dicts, share the records), cheap to diff (an unchanged record is
the same object) and safe to snapshot for stale reads.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

TicketStatus = Literal["open", "in_progress", "blocked", "resolved", "closed"]
Priority = Literal["p0", "p1", "p2", "p3"]
Verdict = Literal["approve", "request_changes", "comment"]


class Record(BaseModel):
    """A stored object with a stable id; subclasses are one per kind of app object."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str


class Person(Record):
    """Someone in the universe: an employee, an outside contact (``external``) or a mailing list.

    A mailing list is a person record whose ``members`` are the ids of the people it reaches.
    """

    name: str
    email: str
    handle: str = ""
    role: str = ""
    team: str = ""
    manager: str | None = None
    external: bool = False
    members: tuple[str, ...] = ()


class Email(Record):
    """One mail message; a mailbox is every message an address sent or received."""

    thread_id: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    subject: str
    body: str
    sent_at: str
    in_reply_to: str | None = None
    labels: tuple[str, ...] = ()


class Channel(Record):
    """A chat channel (``kind='channel'``) or a direct-message conversation (``kind='dm'``)."""

    name: str
    kind: Literal["channel", "dm"] = "channel"
    members: tuple[str, ...] = ()
    topic: str = ""


class ChatMessage(Record):
    """One chat message in a channel, optionally a reply in a thread."""

    channel: str
    author: str
    text: str
    ts: str
    thread: str | None = None


class Comment(BaseModel):
    """A comment on a ticket."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    author: str
    body: str
    at: str


class Ticket(Record):
    """An issue in a project's tracker (ENG, SUP, OPS, FIN, HIR)."""

    project: str
    title: str
    description: str = ""
    status: TicketStatus = "open"
    priority: Priority = "p2"
    assignee: str | None = None
    reporter: str
    labels: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    created_at: str
    updated_at: str


class Branch(Record):
    """A branch of the code repository; its files are ``RepoFile`` records."""

    created_from: str | None = None
    protected: bool = False


class RepoFile(Record):
    """A file on one branch; its id is ``branch:path``."""

    branch: str
    path: str
    content: str


class Review(BaseModel):
    """A review left on a pull request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reviewer: str
    verdict: Verdict
    body: str = ""
    at: str


class PullRequest(Record):
    """A pull request from ``source`` into ``target`` with its reviews and CI status."""

    title: str
    description: str = ""
    author: str
    source: str
    target: str = "main"
    status: Literal["open", "merged", "closed"] = "open"
    reviewers: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()
    ci: Literal["none", "pending", "passed", "failed"] = "none"
    created_at: str
    merged_at: str | None = None


class CiCheck(Record):
    """A CI rule: the file at ``path`` must (not) contain some strings for CI to pass."""

    path: str
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()


class CalendarEvent(Record):
    """A meeting on the shared calendar."""

    title: str
    start: str
    end: str
    organizer: str
    attendees: tuple[str, ...] = ()
    guests: tuple[str, ...] = ()
    location: str = ""
    description: str = ""
    status: Literal["confirmed", "cancelled"] = "confirmed"


class Doc(Record):
    """A document in the shared docs app."""

    title: str
    body: str
    owner: str
    folder: str = ""
    updated_at: str


COLLECTIONS: dict[str, type[Record]] = {
    "people": Person,
    "emails": Email,
    "channels": Channel,
    "chat": ChatMessage,
    "tickets": Ticket,
    "branches": Branch,
    "files": RepoFile,
    "pull_requests": PullRequest,
    "ci_checks": CiCheck,
    "events": CalendarEvent,
    "docs": Doc,
}
"""Every collection of a universe, by name, with the record type it holds."""
