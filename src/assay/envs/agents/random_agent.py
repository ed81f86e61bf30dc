"""A random agent: random tools with random (schema-shaped) arguments. A floor, not a player."""

from __future__ import annotations

import random
from typing import Any

from assay.envs.episode import Episode
from assay.envs.tools import Tool

_WORDS = (
    "hello",
    "update",
    "ENG-110",
    "SUP-204",
    "#general",
    "p-raj",
    "main",
    "doc-spend",
    "PR-7",
    "2026-03-05",
    "maya@kestrel.example",
    "done",
    "invoice",
    "please",
    "x",
)


class RandomAgent:
    """Calls ``steps`` random tools, then finishes.

    Args:
        seed: seeds the agent's own choices (independent of the episode's fault seed).
        steps: how many random calls to make.

    """

    name = "random"

    def __init__(self, seed: int = 0, steps: int = 15) -> None:
        self.seed = seed
        self.steps = steps

    def run(self, episode: Episode) -> None:
        """Drive an in-process episode to its end."""
        rng = random.Random(f"{self.seed}:{episode.task.id}")
        tools = [t for t in episode.tools() if t.name != "finish"]
        for _ in range(self.steps):
            if episode.done:
                return
            tool = rng.choice(tools)
            episode.step(tool.name, random_arguments(tool, rng))
        if not episode.done:
            episode.step("finish", {"summary": "random walk over"})


def random_arguments(tool: Tool, rng: random.Random) -> dict[str, Any]:
    """Arguments of the right shape (mostly) with random values; some optional ones left out."""
    schema = tool.parameters
    out: dict[str, Any] = {}
    for name, spec in schema["properties"].items():
        if name not in schema["required"] and rng.random() < 0.5:
            continue
        out[name] = _value(spec, rng)
    return out


def _value(spec: dict[str, Any], rng: random.Random) -> Any:
    kind = spec.get("type")
    if "enum" in spec:
        return rng.choice(spec["enum"])
    if kind == "integer":
        return rng.randint(int(spec.get("minimum", 1)), int(spec.get("maximum", 100)))
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "array":
        return [rng.choice(_WORDS) for _ in range(rng.randint(1, 2))]
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))
