"""Agents that play episodes: the scripted reference, a random floor, and any chat model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from assay.envs.agents.random_agent import RandomAgent
from assay.envs.agents.reference import PlanContext, ReferenceAgent
from assay.envs.episode import Episode, EpisodeResult
from assay.envs.tasks import Task


class Agent(Protocol):
    """Anything that can play an in-process episode to its end."""

    name: str

    def run(self, episode: Episode) -> None:
        """Take steps until the episode is done."""


def run_task(
    agent: Agent, task: Task, *, faults: bool | Sequence[Any] = False, seed: int = 0
) -> Episode:
    """Play one episode of ``task`` with ``agent``; returns the finished episode."""
    episode = Episode(task, faults=faults, seed=seed)
    agent.run(episode)
    return episode


def run_tasks(
    agent: Agent, tasks: Iterable[Task], *, faults: bool = False, seeds: Sequence[int] = (0,)
) -> list[EpisodeResult]:
    """Play every task once per seed; returns the results in task, then seed, order."""
    return [
        run_task(agent, task, faults=faults, seed=seed).result() for task in tasks for seed in seeds
    ]


__all__ = ["Agent", "PlanContext", "RandomAgent", "ReferenceAgent", "run_task", "run_tasks"]
