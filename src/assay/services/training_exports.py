"""Training exports trainers take as they are, each row keeping rater-quality side columns.

Formats (one JSON object per line):

- ``trl-dpo``: TRL's conversational preference format ``{prompt, chosen, rejected}``
  (``prompt`` a list of messages, ``chosen``/``rejected`` one assistant message each);
- ``trl-rm``: TRL's reward-model format with implicit prompt ``{chosen, rejected, margin}``
  (whole conversations; ``margin`` is the raters' mean signed strength, 0 when not asked);
- ``trl-kto``: TRL's unpaired preference format ``{prompt, completion, label}``;
- ``sft-messages``: ``{messages}`` conversations ending with the reply to learn;
- ``openai-chat``: OpenAI chat fine-tuning ``{messages}``;
- ``openai-preference``: OpenAI preference (DPO) fine-tuning
  ``{input: {messages}, preferred_output, non_preferred_output}``.

Side columns (see ``training_examples.Side``) sit beside the training columns for the TRL and
SFT formats, and under one ``metadata`` key for the OpenAI ones; ``side_columns=False`` leaves
them out. ``save_training_dataset`` writes the same rows as a Hugging Face ``datasets``
dataset (``datasets.load_from_disk`` reads it back); it needs the ``datasets`` package.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assay.domain.enums import Role
from assay.errors import InvalidInput
from assay.services.actor import Actor
from assay.services.documents import to_json_bytes
from assay.services.projects import load_project
from assay.services.training_examples import Demonstration, Labelled, Preference, assistant
from assay.services.training_rows import iter_examples, project_source
from assay.store import Session
from assay.store import model_endpoints as endpoint_store
from assay.store import projects as project_store

TrainingFormat = Literal[
    "trl-dpo", "trl-rm", "trl-kto", "sft-messages", "openai-chat", "openai-preference"
]
FAMILIES: dict[str, str] = {
    "trl-dpo": "preference",
    "trl-rm": "preference",
    "openai-preference": "preference",
    "trl-kto": "labelled",
    "sft-messages": "demonstration",
    "openai-chat": "demonstration",
}
CONTENT_TYPE = "application/x-ndjson"
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True)
class TrainingExportPlan:
    """A checked training export request."""

    org_id: str
    project_id: str
    fmt: str
    side_columns: bool

    @property
    def filename(self) -> str:
        """Return a file name to save the stream under."""
        return f"{self.project_id}-{self.fmt}.jsonl"


def plan_training_export(
    session: Session, actor: Actor, project_id: str, fmt: str, *, side_columns: bool = True
) -> TrainingExportPlan:
    """Check a training export request before any byte is streamed.

    Raises:
        PermissionDenied: workers and reviewers may not export.
        InvalidInput: unknown format, or the project holds no training data.
        NotFound: the project is not in the actor's organisation.

    """
    actor.require(Role.REQUESTER)
    if fmt not in FAMILIES:
        raise InvalidInput(f"Unknown training format {fmt!r}; choose one of {', '.join(FAMILIES)}.")
    project = load_project(session, actor, project_id)
    project_source(project, endpoint_store.get_setup(session, actor.org_id, project.id))
    plan = TrainingExportPlan(actor.org_id, project.id, fmt, side_columns)
    # Reads only: end the transaction, so the stream's own session is never kept waiting
    # behind this one (on SQLite every transaction holds the write lock).
    session.rollback()
    return plan


def training_rows(session: Session, plan: TrainingExportPlan) -> Iterator[dict[str, Any]]:
    """Yield the export's rows, in the plan's format."""
    project = project_store.get_project(session, plan.org_id, plan.project_id)
    assert project is not None
    for example in iter_examples(session, project, FAMILIES[plan.fmt]):
        yield format_row(plan.fmt, example, side_columns=plan.side_columns)


def format_row(
    fmt: str, example: Preference | Demonstration | Labelled, *, side_columns: bool = True
) -> dict[str, Any]:
    """Lay one example out in a training format."""
    row = _training_columns(fmt, example)
    side = example.side.columns()
    model_columns = (
        {"chosen_model": example.chosen_model, "rejected_model": example.rejected_model}
        if isinstance(example, Preference)
        else {"model": example.model}
    )
    if not side_columns:
        return row
    if fmt.startswith("openai-"):
        return {**row, "metadata": {**side, **model_columns}}
    return {**row, **side, **model_columns}


def _training_columns(fmt: str, example: Preference | Demonstration | Labelled) -> dict[str, Any]:
    if isinstance(example, Demonstration):
        return {"messages": example.messages}
    if isinstance(example, Labelled):
        completion = [assistant(example.completion)]
        return {"prompt": example.prompt, "completion": completion, "label": example.label}
    chosen, rejected = [assistant(example.chosen)], [assistant(example.rejected)]
    if fmt == "trl-rm":
        return {
            "chosen": [*example.prompt, *chosen],
            "rejected": [*example.prompt, *rejected],
            "margin": example.margin,
        }
    if fmt == "openai-preference":
        return {
            "input": {"messages": example.prompt},
            "preferred_output": chosen,
            "non_preferred_output": rejected,
        }
    return {"prompt": example.prompt, "chosen": chosen, "rejected": rejected}


def stream_training_export(session: Session, plan: TrainingExportPlan) -> Iterator[bytes]:
    """Stream a checked training export as JSONL byte chunks."""
    buffer = bytearray()
    for row in training_rows(session, plan):
        buffer += to_json_bytes(row) + b"\n"
        if len(buffer) >= CHUNK_BYTES:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def save_training_dataset(
    session: Session,
    actor: Actor,
    project_id: str,
    fmt: str,
    path: Path,
    *,
    side_columns: bool = True,
) -> int:
    """Save a training export as a Hugging Face dataset directory; returns its row count.

    Raises:
        InvalidInput: the ``datasets`` package is missing, or there are no rows yet.

    """
    try:
        import datasets
    except ImportError as exc:
        raise InvalidInput("Saving a Hugging Face dataset needs: pip install datasets") from exc
    plan = plan_training_export(session, actor, project_id, fmt, side_columns=side_columns)
    rows = list(training_rows(session, plan))
    if not rows:
        raise InvalidInput("This project has no finished examples in that format yet.")
    datasets.Dataset.from_list(rows).save_to_disk(str(path))
    return len(rows)


__all__ = [
    "FAMILIES",
    "TrainingExportPlan",
    "TrainingFormat",
    "format_row",
    "plan_training_export",
    "save_training_dataset",
    "stream_training_export",
    "training_rows",
]
