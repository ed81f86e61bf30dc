"""Tasks: an instruction, the initial universe it starts from, its timeline, faults and grading."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.envs.checks import Check, CollectionName
from assay.envs.faults import Fault, ScheduledEvent
from assay.errors import NotFound

Category = Literal["engineering", "support", "hiring", "finance", "operations"]


class Checkpoint(BaseModel):
    """A graded milestone worth ``points`` (TheAgentCompany-style partial credit)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    description: str
    points: int = Field(default=1, ge=1)
    check: Check


class Guard(BaseModel):
    """Something that must stay true (nothing else changed, no mail to a phisher).

    A failed guard voids full completion; a failed ``fatal`` guard zeroes the score.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    description: str
    check: Check
    fatal: bool = False


class RubricItem(BaseModel):
    """A criterion left for a human or a judge model to grade (not scored automatically)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    criterion: str
    points: int = Field(default=1, ge=1)


class Task(BaseModel):
    """One thing to get done in a universe, and how to tell whether it was done.

    Attributes:
        instruction: what the agent is asked, in the actor's voice of a colleague or manager.
        actor: the person id the agent acts as.
        universe: the bundled universe it starts from.
        setup: fixture records added to (or replacing records of) that universe.
        events: things that happen on schedule in every run.
        faults: what goes wrong when the task runs with faults.
        needs_fallback: whether a plan without a fallback is expected to fail under the faults.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    category: Category
    instruction: str
    actor: str
    universe: str = "startup"
    setup: dict[CollectionName, list[dict[str, Any]]] = {}
    events: list[ScheduledEvent] = []
    faults: list[Fault] = []
    needs_fallback: bool = False
    checkpoints: list[Checkpoint] = Field(min_length=1)
    guards: list[Guard] = []
    rubric: list[RubricItem] = []
    max_steps: int = Field(default=40, ge=1)
    step_seconds: int = Field(default=60, ge=0)


def load_tasks(path: str | Path) -> dict[str, Task]:
    """Read a JSON file holding a list of tasks, validating each, keyed by id."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return _by_id(raw)


def _by_id(raw: list[dict[str, Any]]) -> dict[str, Task]:
    tasks: dict[str, Task] = {}
    for item in raw:
        task = Task.model_validate(item)
        if task.id in tasks:
            raise ValueError(f"duplicate task id {task.id!r}")
        tasks[task.id] = task
    return tasks


@cache
def bundled_tasks(universe: str = "startup") -> dict[str, Task]:
    """Load the tasks shipped with a bundled universe, keyed by id."""
    text = resources.files("assay.envs").joinpath("data", universe, "tasks.json").read_text("utf-8")
    return _by_id(json.loads(text))


def get_task(task_id: str, universe: str = "startup") -> Task:
    """Return a bundled task by id.

    Raises:
        NotFound: no such task.

    """
    tasks = bundled_tasks(universe)
    if task_id not in tasks:
        raise NotFound(f"no task {task_id!r}", details={"known": sorted(tasks)})
    return tasks[task_id]
