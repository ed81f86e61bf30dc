"""The demo organisation: projects of several task types with sample tasks, and fresh keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assay.domain.demo import DEMO_TEMPLATES
from assay.domain.project import GuidelinesIn, ProjectCreate
from assay.domain.task import TaskCreate, TaskImport
from assay.domain.template import Template, parse_template
from assay.services import keys as key_service
from assay.services.actor import Actor
from assay.services.projects import create_project, list_projects
from assay.services.tasks import import_tasks
from assay.store import Session

DEMO_ORG = "demo"
TASKS_PER_PROJECT = 12

_SENTENCES = [
    "The delivery was two days late but the support team refunded the shipping at once.",
    "Absolutely love this blender, it crushes ice in seconds and is easy to clean.",
    "The hotel room was fine. Nothing special, nothing terrible.",
    "Dr. Ana Souza presented the trial results in Lisbon on 3 March 2025.",
    "This app crashes every time I open the camera; please fix it.",
    "Patients aged 18 to 65 with type 2 diabetes were enrolled at four sites in Kenya.",
]
_RESPONSES = [
    "Paris is the capital of France.",
    "## Answer\n\nThe capital of France is **Paris**, on the Seine.\n\n- Population: ~2.1M\n- "
    "Known for: the Louvre ✨",
    "I believe it's Paris, though Lyon is also a major city.",
]
_CODE = "def mean(xs):\n    return sum(xs) / len(xs)\n"


def _sample_value(kind: str, index: int) -> Any:
    sentence = _SENTENCES[index % len(_SENTENCES)]
    if kind in ("text", "markdown"):
        return sentence
    if kind == "code":
        return _CODE
    if kind == "chat":
        return [
            {"role": "user", "content": f"Summarise this: {sentence}"},
            {"role": "assistant", "content": sentence.split(",")[0] + "."},
        ]
    if kind == "model_responses":
        return [
            {"id": f"r{i}", "model": f"model-{i}", "content": text}
            for i, text in enumerate(_RESPONSES[:2] if index % 2 else _RESPONSES)
        ]
    if kind == "image":
        return "https://example.org/demo/shapes.png"
    return "https://example.org/demo/sample.mp3"


def sample_payload(template: Template, index: int) -> dict[str, Any]:
    """A payload that fits ``template``, varied by ``index``."""
    payload = {}
    for field in template.fields:
        source = getattr(field, "source", None) or field.name
        payload[source] = _sample_value(field.kind, index)
    return payload


@dataclass(frozen=True)
class DemoSeed:
    """What the demo created: project ids and plaintext keys by role."""

    project_ids: list[str]
    keys: dict[str, str]


def seed_demo(session: Session) -> DemoSeed:
    """Create (once) the demo projects and tasks; always mint fresh keys to print."""
    keys = {
        role: key_service.create_api_key(
            session, org_name=DEMO_ORG, role=role, name=f"demo-{role}"
        ).secret
        for role in ("admin", "requester", "worker", "reviewer")
    }
    actor = key_service.authenticate(session, keys["requester"])
    existing = list_projects(session, actor)
    if not existing:
        for name, raw in DEMO_TEMPLATES.items():
            _seed_project(session, actor, name, raw)
        existing = list_projects(session, actor)
    return DemoSeed(project_ids=[p.id for p in existing], keys=keys)


def _seed_project(session: Session, actor: Actor, name: str, raw: dict[str, Any]) -> None:
    template = parse_template(raw)
    spec = ProjectCreate(
        name=name.replace("_", " ").title(),
        template=template,
        redundancy=3,
        guidelines=GuidelinesIn(
            goal=f"Demo project: {name.replace('_', ' ')}.",
            principles=["Read the whole item before answering.", "When unsure, skip with a reason."],
        ),
    )
    project = create_project(session, actor, spec)
    tasks = [
        TaskCreate(unique_id=f"demo-{i}", payload=sample_payload(template, i))
        for i in range(TASKS_PER_PROJECT)
    ]
    import_tasks(session, actor, project.id, TaskImport(tasks=tasks, batch_name="demo"))
