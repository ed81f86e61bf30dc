"""Seeding the web tests through services: organisations, accounts, projects, tasks, media."""

from __future__ import annotations

import io
import secrets
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from assay.config import Settings
from assay.domain.enums import Role
from assay.domain.project import GuidelinesIn, ProjectCreate
from assay.domain.task import TaskCreate, TaskImport
from assay.domain.workforce import QualificationCreate
from assay.services import media, projects, qualification, tasks
from assay.services.accounts import create_account
from assay.services.actor import Actor
from assay.store import SessionFactory

PASSWORD = "correct horse battery"


@dataclass
class Org:
    """One seeded organisation: its admin actor and the logins made in it."""

    name: str
    admin: Actor
    factory: SessionFactory
    logins: dict[str, str] = field(default_factory=dict)  # handle -> email
    worker_ids: dict[str, str] = field(default_factory=dict)  # handle -> worker id

    def email(self, handle: str) -> str:
        return self.logins[handle]


def new_org(factory: SessionFactory, prefix: str = "acme") -> Org:
    """An organisation with an operations lead (admin) called ``ops``."""
    name = f"{prefix}-{secrets.token_hex(4)}"
    email = f"ops@{name}.test"
    with factory() as session:
        account = create_account(
            session, org_name=name, email=email, password=PASSWORD, role="admin"
        )
    org = Org(name, Actor(org_id=account.org_id, role=Role.ADMIN), factory)
    org.logins["ops"] = email
    return org


def add_account(org: Org, handle: str, role: str = "worker") -> str:
    """A worker/reviewer/requester login in the organisation; returns its email."""
    email = f"{handle}@{org.name}.test"
    with org.factory() as session:
        account = create_account(
            session,
            org_name=org.name,
            email=email,
            password=PASSWORD,
            role=role,
            worker_handle=handle,
        )
    org.logins[handle] = email
    if account.worker_id:
        org.worker_ids[handle] = account.worker_id
    return email


def worker_actor(org: Org, handle: str, role: Role = Role.WORKER) -> Actor:
    """The actor behind a seeded worker login."""
    return Actor(org_id=org.admin.org_id, role=role, worker_id=org.worker_ids[handle])


def add_project(
    org: Org,
    name: str,
    template: dict[str, Any],
    payloads: list[dict[str, Any]],
    *,
    guidelines: dict[str, Any] | None = None,
    gold: list[dict[str, Any] | None] | None = None,
    **settings: Any,
) -> str:
    """A project with one task per payload (first payload first in the queue)."""
    spec = ProjectCreate.model_validate(
        {
            "name": name,
            "template": template,
            "guidelines": GuidelinesIn.model_validate(guidelines or {"goal": f"Do {name} well."}),
            **settings,
        }
    )
    items = [
        TaskCreate(
            unique_id=f"t{i}",
            payload=payload,
            priority=len(payloads) - i,
            gold_answer=(gold[i] if gold else None),
        )
        for i, payload in enumerate(payloads)
    ]
    with org.factory() as session:
        project = projects.create_project(session, org.admin, spec)
        tasks.import_tasks(session, org.admin, project.id, TaskImport(tasks=items))
    return project.id


def add_qualification(
    org: Org,
    name: str,
    skill: str,
    template: dict[str, Any],
    items: list[tuple[dict[str, Any], dict[str, Any]]],
    *,
    min_accuracy: float,
) -> str:
    """A qualification test of gold tasks (payload, gold answer), asked in the given order."""
    spec = QualificationCreate.model_validate(
        {
            "name": name,
            "skill": skill,
            "level": "intermediate",
            "min_accuracy": min_accuracy,
            "template": template,
            "guidelines_goal": "Label the **overall** sentiment of the review.",
            "tasks": [
                {
                    "unique_id": f"q{i}",
                    "payload": payload,
                    "gold_answer": answer,
                    "priority": len(items) - i,
                }
                for i, (payload, answer) in enumerate(items)
            ],
        }
    )
    with org.factory() as session:
        return qualification.create_qualification_test(session, org.admin, spec).id


def png(width: int, height: int) -> bytes:
    """A small PNG: a pale background with two coloured rectangles to draw boxes around."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            if 20 <= x < 120 and 40 <= y < 110:
                rows += bytes((220, 90, 60))
            elif 160 <= x < 210 and 30 <= y < 140:
                rows += bytes((60, 120, 220))
            else:
                rows += bytes((238, 241, 245))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def upload_image(org: Org, settings: Settings) -> str:
    """Upload a test image; returns the ``blob:<id>`` reference for payloads."""
    store = media.open_blob_store(settings)
    with org.factory() as session:
        view = media.upload_media(
            session,
            org.admin,
            store,
            io.BytesIO(png(240, 160)),
            filename="scene.png",
            content_type="image/png",
            max_bytes=10_000_000,
        )
    return view.reference


SENTIMENT = {
    "fields": [{"kind": "text", "name": "review", "label": "Customer review"}],
    "questions": [
        {
            "type": "label",
            "name": "sentiment",
            "prompt": "Overall sentiment?",
            "options": [
                {"value": "positive", "label": "Positive"},
                {"value": "neutral", "label": "Neutral"},
                {"value": "negative", "label": "Negative"},
            ],
        }
    ],
}

PAIRWISE = {
    "fields": [
        {"kind": "chat", "name": "conversation", "label": "Conversation"},
        {"kind": "model_responses", "name": "responses", "max_responses": 2},
    ],
    "questions": [
        {
            "type": "pairwise",
            "name": "preference",
            "prompt": "Which response is better?",
            "source": "responses",
            "strength_levels": 3,
            "strength_labels": ["slightly", "clearly", "much"],
            "axes": [{"name": "honesty", "label": "More honest"}],
        }
    ],
}

SPANS = {
    "fields": [{"kind": "text", "name": "text", "label": "Sentence"}],
    "questions": [
        {
            "type": "spans",
            "name": "entities",
            "prompt": "Mark every person and place.",
            "source": "text",
            "labels": ["PER", "LOC"],
        }
    ],
}

BOXES = {
    "fields": [{"kind": "image", "name": "image", "label": "Scene"}],
    "questions": [
        {
            "type": "boxes",
            "name": "objects",
            "prompt": "Box every rectangle.",
            "source": "image",
            "labels": ["red", "blue"],
            "min_boxes": 1,
        }
    ],
}

WRITING = {
    "fields": [{"kind": "markdown", "name": "instruction", "label": "Instruction"}],
    "questions": [
        {
            "type": "text",
            "name": "response",
            "prompt": "Write the ideal response.",
            "min_length": 20,
            "max_length": 400,
        }
    ],
}

RANKING = {
    "fields": [
        {"kind": "markdown", "name": "prompt"},
        {"kind": "model_responses", "name": "responses", "min_responses": 3},
    ],
    "questions": [
        {
            "type": "ranking",
            "name": "order",
            "prompt": "Rank best to worst.",
            "source": "responses",
        }
    ],
}

RUBRIC = {
    "fields": [
        {"kind": "markdown", "name": "task", "label": "Task"},
        {"kind": "code", "name": "solution", "language": "python"},
    ],
    "questions": [
        {
            "type": "rubric",
            "name": "grade",
            "prompt": "Grade the solution.",
            "criteria": [
                {
                    "id": "correct",
                    "description": "Returns the right result.",
                    "points": 5,
                    "must_have": True,
                },
                {"id": "edge_cases", "description": "Handles empty input.", "points": 2},
                {"id": "unsafe", "description": "Uses eval or exec.", "points": -3},
            ],
        }
    ],
}

RATING = {
    "fields": [{"kind": "text", "name": "reply", "label": "Assistant reply"}],
    "questions": [
        {
            "type": "rating",
            "name": "quality",
            "prompt": "How good is the reply?",
            "min": 1,
            "max": 5,
            "labels": [{"value": 1, "label": "Poor"}, {"value": 5, "label": "Great"}],
        },
        {
            "type": "numeric",
            "name": "errors",
            "prompt": "How many factual errors?",
            "min": 0,
            "integer": True,
        },
    ],
}
