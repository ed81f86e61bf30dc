"""A Gymnasium environment over an episode: text actions (JSON tool calls), text observations.

An action is a JSON object ``{"tool": "mail_send", "arguments": {...}}``; anything else is
recorded as a failed step with an error observation, never an exception. Observations are the
step's JSON. The reward is sparse: the episode's score when it ends, 0 before.
"""

from __future__ import annotations

import json
import string
from typing import Any, SupportsFloat

import gymnasium as gym
from gymnasium import spaces

from assay.envs.episode import Episode
from assay.envs.tasks import Task, get_task

CHARSET = string.printable
"""Observations are ASCII JSON (non-ASCII is escaped), so printable ASCII covers them."""

ENV_ID = "assay/Universe-v0"


def _dumps(value: Any, limit: int) -> str:
    text = json.dumps(value, ensure_ascii=True, sort_keys=True)
    if len(text) > limit:
        text = json.dumps(
            {
                "ok": False,
                "error": {"code": "observation_too_large", "message": f"over {limit} characters"},
            }
        )
    return text


class AssayEnv(gym.Env[str, str]):
    """One task of a universe as a Gymnasium environment.

    Args:
        task: a task or a bundled task id.
        faults: run with the task's fault plan.
        max_observation: the longest observation text (longer ones are replaced by an error).
        render_mode: ``"ansi"`` returns the last observation from ``render()``.

    ``reset(options={"faults": bool})`` switches faults for one episode. Without a seed, the
    episode seed is drawn from the environment's generator, so ``reset(seed=s)`` followed by plain
    ``reset()`` calls is reproducible.

    """

    # Gymnasium declares metadata as a plain class attribute; a ClassVar would clash with it.
    metadata: dict[str, Any] = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012

    def __init__(
        self,
        task: Task | str,
        *,
        faults: bool = False,
        max_observation: int = 200_000,
        render_mode: str | None = None,
    ) -> None:
        self.task = get_task(task) if isinstance(task, str) else task
        self.faults = faults
        self.max_observation = max_observation
        self.render_mode = render_mode
        self.action_space = spaces.Text(max_length=16_384, min_length=0, charset=CHARSET)
        self.observation_space = spaces.Text(
            max_length=max_observation, min_length=0, charset=CHARSET
        )
        self.episode = Episode(self.task, faults=faults)
        self._last = ""

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Start a new episode of the task."""
        super().reset(seed=seed)
        episode_seed = seed if seed is not None else int(self.np_random.integers(0, 2**31 - 1))
        faults = bool((options or {}).get("faults", self.faults))
        self.episode = Episode(self.task, faults=faults, seed=episode_seed)
        self._last = _dumps(self.episode.first_observation(), self.max_observation)
        return self._last, {"task_id": self.task.id, "seed": episode_seed, "faults": faults}

    def step(self, action: str) -> tuple[str, SupportsFloat, bool, bool, dict[str, Any]]:
        """Take one tool call; returns observation, reward, terminated, truncated, info."""
        tool, arguments = _parse_action(action)
        observation = self.episode.step(tool, arguments)
        self._last = _dumps(observation, self.max_observation)
        info: dict[str, Any] = {"step": self.episode.step_count, "ok": bool(observation["ok"])}
        reward = 0.0
        if self.episode.done:
            grade = self.episode.grade()
            reward = float(grade.score)
            info.update(score=grade.score, success=grade.success)
        return self._last, reward, self.episode.finished, self.episode.truncated, info

    def render(self) -> str | None:
        """Return the last observation, in ``ansi`` mode."""
        return self._last if self.render_mode == "ansi" else None


def _parse_action(action: str) -> tuple[str, Any]:
    """Split an action into tool name and arguments; a malformed one names no tool."""
    try:
        parsed = json.loads(action)
    except (TypeError, ValueError):
        return "<malformed action>", action
    if not isinstance(parsed, dict) or not isinstance(parsed.get("tool"), str):
        return "<malformed action>", action
    return parsed["tool"], parsed.get("arguments") or {}


if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point="assay.envs.gym_env:AssayEnv")
