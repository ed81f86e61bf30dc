"""What a requester sends to create tasks."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

UniqueId = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TaskCreate(BaseModel):
    """One task: its payload (the fields the template displays) and an idempotency key."""

    model_config = ConfigDict(extra="forbid")

    unique_id: UniqueId = Field(
        description="Your id for this task; resubmitting it returns the existing task."
    )
    payload: dict[str, Any]
    priority: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    metadata: dict[str, Any] = Field(default_factory=dict)
    gold_answer: dict[str, Any] | None = Field(
        default=None, description="Makes this a gold task; never shown to workers."
    )


class TaskImport(BaseModel):
    """A bulk submission: all valid items are stored, or none are."""

    model_config = ConfigDict(extra="forbid")

    tasks: list[TaskCreate] = Field(min_length=1)
    batch_id: str | None = Field(default=None, description="Add to an existing batch.")
    batch_name: str | None = Field(
        default=None, max_length=200, description="Create a new batch with this name."
    )
