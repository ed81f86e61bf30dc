"""What the task page hands its script: the template, the shown part of the payload, the draft.

Only the payload keys the template's fields read are sent: a task never carries its gold
answer to the browser (the lease does not hold it), and metadata the requester attached stays
on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from assay.domain.template import parse_template
from assay.services.work import Lease


class GuidelineVersion(Protocol):
    """The parts of a guideline version the pages show."""

    @property
    def version(self) -> int: ...  # noqa: D102
    @property
    def goal(self) -> str: ...  # noqa: D102
    @property
    def principles(self) -> Sequence[Any]: ...  # noqa: D102
    @property
    def examples(self) -> Sequence[Any]: ...  # noqa: D102
    @property
    def body(self) -> str: ...  # noqa: D102


def shown_payload(template: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Keep the payload values the template's fields display, and nothing else."""
    keys = {field.key for field in parse_template(template).fields}
    return {key: value for key, value in (payload or {}).items() if key in keys}


def guidelines_data(guidelines: GuidelineVersion | None) -> dict[str, Any] | None:
    """Turn a guideline version into plain data for the page."""
    if guidelines is None:
        return None
    return {
        "version": guidelines.version,
        "goal": guidelines.goal,
        "principles": list(guidelines.principles or []),
        "examples": list(guidelines.examples or []),
        "body": guidelines.body,
    }


def task_page_data(lease: Lease, *, next_project_id: str | None) -> dict[str, Any]:
    """Everything the task script needs, as JSON-ready data."""
    assignment = lease.assignment
    base = f"/work/{assignment.id}"
    return {
        "mode": "work",
        "assignment": {
            "id": assignment.id,
            "expires_at": assignment.expires_at.isoformat(),
            "rework_reason": assignment.rework_reason,
        },
        "project": {"id": lease.project.id, "name": lease.project.name, "kind": lease.project.kind},
        "template": lease.served.template,
        "payload": shown_payload(lease.served.template, lease.task.payload),
        "draft": assignment.draft,
        "next_project_id": next_project_id,
        "urls": {
            "heartbeat": f"{base}/heartbeat",
            "submit": f"{base}/submit",
            "skip": f"{base}/skip",
            "next": "/work/next",
            "media": "/media/",
        },
        "autosave_ms": 20_000,
    }
