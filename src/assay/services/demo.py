"""The demo organisation: projects of several task types with sample tasks, keys and logins."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from typing import Any

from assay.config import Settings
from assay.domain.demo import DEMO_PAYLOADS, DEMO_TEMPLATES
from assay.domain.project import GuidelinesIn, ProjectCreate
from assay.domain.task import TaskCreate, TaskImport
from assay.domain.template import Template, parse_template
from assay.errors import Conflict
from assay.services import accounts as account_service
from assay.services import keys as key_service
from assay.services.actor import Actor
from assay.services.demo_media import demo_png, demo_wav
from assay.services.media import media_reference, open_blob_store, upload_media
from assay.services.projects import create_project, list_projects
from assay.services.rlhf_demo import seed_rlhf_demo
from assay.services.tasks import import_tasks
from assay.store import Session

DEMO_ORG = "demo"
DEMO_PASSWORD = "assay-demo-password"
TASKS_PER_PROJECT = 12
_LOGINS = {
    "requester": "lead@demo.assay",
    "worker": "worker@demo.assay",
    "reviewer": "reviewer@demo.assay",
}
_VARIATIONS = [
    "The delivery was two days late but support refunded the shipping at once.",
    "Absolutely love this blender; it crushes ice in seconds.",
    "The hotel room was fine. Nothing special, nothing terrible.",
    "Dr. Ana Souza presented the trial results in Lisbon on 3 March 2025.",
]


@dataclass(frozen=True)
class DemoSeed:
    """What the demo created: project ids, plaintext API keys by role, web logins."""

    project_ids: list[str]
    keys: dict[str, str]
    logins: dict[str, str]


def _vary(value: Any, index: int) -> Any:
    """A payload value changed a little per task, so the demo's tasks are not all identical."""
    if isinstance(value, str) and " " in value and not value.startswith(("http", "blob:")):
        return value if index == 0 else f"{_VARIATIONS[index % len(_VARIATIONS)]} {value}"
    return value


def _payloads(
    template: Template, base: dict[str, Any], media: dict[str, str]
) -> list[dict[str, Any]]:
    payloads = []
    for index in range(TASKS_PER_PROJECT):
        payload = {key: _vary(copy.deepcopy(value), index) for key, value in base.items()}
        for field in template.fields:
            if field.kind in media:
                payload[getattr(field, "source", None) or field.name] = media[field.kind]
        payloads.append(payload)
    return payloads


def _upload_media(session: Session, actor: Actor, settings: Settings) -> dict[str, str]:
    store = open_blob_store(settings)
    refs = {}
    for kind, name, content_type, data in (
        ("image", "street.png", "image/png", demo_png()),
        ("audio", "tone.wav", "audio/wav", demo_wav()),
    ):
        view = upload_media(
            session,
            actor,
            store,
            io.BytesIO(data),
            filename=name,
            content_type=content_type,
            max_bytes=settings.max_blob_bytes,
        )
        refs[kind] = media_reference(view.id)
    return refs


def _ensure_logins(session: Session) -> dict[str, str]:
    for role, email in _LOGINS.items():
        try:
            account_service.create_account(
                session,
                org_name=DEMO_ORG,
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                worker_handle=f"demo-{role}" if role != "requester" else None,
            )
        except Conflict:
            session.rollback()  # already there from an earlier run
    return dict(_LOGINS)


def seed_demo(session: Session, settings: Settings) -> DemoSeed:
    """Create (once) the demo projects, tasks and logins; always mint fresh keys to print."""
    keys = {
        role: key_service.create_api_key(
            session, org_name=DEMO_ORG, role=role, name=f"demo-{role}"
        ).secret
        for role in ("admin", "requester", "worker", "reviewer")
    }
    actor = key_service.authenticate(session, keys["requester"])
    if not list_projects(session, actor):
        media = _upload_media(session, actor, settings)
        for name, raw in DEMO_TEMPLATES.items():
            _seed_project(session, actor, name, raw, media)
    seed_rlhf_demo(session, actor)
    logins = _ensure_logins(session)
    return DemoSeed(
        project_ids=[p.id for p in list_projects(session, actor)], keys=keys, logins=logins
    )


def _seed_project(
    session: Session, actor: Actor, name: str, raw: dict[str, Any], media: dict[str, str]
) -> None:
    template = parse_template(raw)
    spec = ProjectCreate(
        name=name.replace("_", " ").capitalize(),
        template=template,
        redundancy=3,
        pay_per_task_cents=15,
        guidelines=GuidelinesIn(
            goal=f"Demo project: {name.replace('_', ' ')}.",
            principles=[
                "Read the whole item before answering.",
                "When unsure, skip with a reason.",
            ],
        ),
    )
    project = create_project(session, actor, spec)
    tasks = [
        TaskCreate(unique_id=f"demo-{i}", payload=payload)
        for i, payload in enumerate(_payloads(template, DEMO_PAYLOADS[name], media))
    ]
    import_tasks(session, actor, project.id, TaskImport(tasks=tasks, batch_name="demo"))
