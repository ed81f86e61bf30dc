"""Training examples and what building them needs: the types every exporter shares."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from assay.domain.template import Template
from assay.services.documents import Document, iter_task_documents
from assay.store import Session
from assay.store.models import Project
from assay.store.models.rlhf import ProjectModelSetup

Message = dict[str, str]
CHUNK = 500
Family = str
"""Which examples to build: ``preference``, ``demonstration`` or ``labelled``."""


@dataclass(frozen=True)
class Side:
    """Side columns every example carries: provenance and rater quality."""

    source: str
    project_id: str
    item_id: str
    unique_id: str
    rater_ids: list[str] = field(default_factory=list)
    rater_gold_accuracy: list[float | None] = field(default_factory=list)
    rater_active_time_ms: list[int | None] = field(default_factory=list)
    n_ratings: int = 0
    agreement: float | None = None
    strength: float | None = None
    axes: dict[str, str] | None = None
    reasons: list[str] = field(default_factory=list)
    review_scores: list[float] = field(default_factory=list)
    score: float | None = None

    def columns(self) -> dict[str, Any]:
        """Return the side columns as a flat dict."""
        return asdict(self)


@dataclass(frozen=True)
class Preference:
    """A prompt with a preferred and a passed-over reply."""

    prompt: list[Message]
    chosen: str
    rejected: str
    chosen_model: str | None
    rejected_model: str | None
    margin: float
    side: Side


@dataclass(frozen=True)
class Demonstration:
    """A conversation ending with the reply to learn."""

    messages: list[Message]
    model: str | None
    side: Side


@dataclass(frozen=True)
class Labelled:
    """A reply judged good (True) or bad (False) on its own."""

    prompt: list[Message]
    completion: str
    label: bool
    model: str | None
    side: Side


@dataclass
class Context:
    """What example builders read: the project, its setup, rater accuracy, model names."""

    session: Session
    project: Project
    setup: ProjectModelSetup | None
    template: Template
    gold: dict[str, tuple[int, int]]
    endpoint_names: dict[str, str]

    def rater(self, worker_id: str) -> float | None:
        """Return a worker's gold accuracy in this project (None without gold answers)."""
        answered, correct = self.gold.get(worker_id, (0, 0))
        return correct / answered if answered else None

    def with_system(self, messages: list[Message]) -> list[Message]:
        """Return the messages led by the project's system prompt, as the models saw them."""
        prompt = self.setup.system_prompt if self.setup else ""
        if not prompt or (messages and messages[0].get("role") == "system"):
            return messages
        return [{"role": "system", "content": prompt}, *messages]


def documents(context: Context) -> Iterator[list[Document]]:
    """Yield the project's complete task documents in chunks."""
    # Each batch is read in its own short transaction: a long export holds no lock.
    documents = iter_task_documents(
        context.session,
        context.project.org_id,
        context.project.id,
        with_result_only=True,
        end_transaction_per_batch=True,
    )
    while chunk := list(itertools.islice(documents, CHUNK)):
        yield chunk


def final_answer(response: Document) -> dict[str, Any]:
    """Return a response's answer as delivered: the last reviewer edit, else the original."""
    edits = [r["edited_answer"] for r in response["reviews"] if r.get("edited_answer")]
    return dict(edits[-1]) if edits else dict(response["answer"])


def accepted(document: Document) -> list[Document]:
    """List a task document's accepted responses."""
    return [r for r in document["responses"] if r["status"] == "accepted"]


def prompt_of(template: Template, payload: dict[str, Any], answer: dict[str, Any]) -> list[Message]:
    """Read a task's prompt: a 'prompt' answer, else its chat field, else its first text field."""
    if isinstance(answer.get("prompt"), str):
        return [{"role": "user", "content": answer["prompt"]}]
    for field_ in template.fields:
        value = payload.get(field_.key)
        if field_.kind == "chat" and isinstance(value, list):
            return [{"role": str(m["role"]), "content": str(m["content"])} for m in value]
        if field_.kind in ("text", "markdown", "code") and isinstance(value, str):
            return [{"role": "user", "content": value}]
    return []


def assistant(content: str) -> Message:
    """Return an assistant message."""
    return {"role": "assistant", "content": content}


def as_labelled(preference: Preference) -> Iterator[Labelled]:
    """Split a preference into its chosen reply (good) and its rejected one (bad)."""
    yield Labelled(
        preference.prompt, preference.chosen, True, preference.chosen_model, preference.side
    )
    yield Labelled(
        preference.prompt, preference.rejected, False, preference.rejected_model, preference.side
    )
