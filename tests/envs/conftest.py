"""Fixtures for the environment tests: episodes of ad-hoc tasks in the bundled universe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assay.envs import Episode, Task


def make_task(actor: str = "p-sam", **fields: Any) -> Task:
    """A task in the bundled universe that any test can shape; its one checkpoint never passes."""
    body: dict[str, Any] = {
        "id": "test-task",
        "title": "A test task",
        "category": "engineering",
        "instruction": "Do what the test says.",
        "actor": actor,
        "checkpoints": [
            {
                "id": "never",
                "description": "no such doc",
                "check": {"kind": "exists", "collection": "docs", "where": {"title": "never"}},
            }
        ],
        "max_steps": 200,
    }
    body.update(fields)
    return Task.model_validate(body)


def ok(observation: dict[str, Any]) -> Any:
    """The result of a successful observation (fails the test otherwise)."""
    assert observation["ok"], observation
    return observation["result"]


def error_code(observation: dict[str, Any]) -> str:
    """The error code of a failed observation (fails the test if it succeeded)."""
    assert not observation["ok"], observation
    return str(observation["error"]["code"])


@pytest.fixture
def episode_of() -> Callable[..., Episode]:
    """Build an episode of an ad-hoc task: ``episode_of(actor="p-aisha", faults=[...])``."""

    def build(
        actor: str = "p-sam",
        faults: list[dict[str, Any]] | None = None,
        seed: int = 0,
        **fields: Any,
    ) -> Episode:
        task = make_task(actor, faults=faults or [], **fields)
        return Episode(task, faults=bool(faults), seed=seed)

    return build
