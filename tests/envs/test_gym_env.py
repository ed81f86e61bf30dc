from __future__ import annotations

import json
from typing import Any

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

from assay.envs import ReferenceAgent, get_task, run_task
from assay.envs.gym_env import ENV_ID, AssayEnv


def test_the_environment_passes_gymnasiums_checker() -> None:
    env = gym.make(ENV_ID, task="eng-fix-tax-rounding")
    check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize(
    ("task_id", "faults"), [("eng-incident-notice", True), ("hire-brief-priya", False)]
)
def test_the_reference_plan_scores_the_same_through_gymnasium(task_id: str, faults: bool) -> None:
    env = AssayEnv(task_id, faults=faults)
    text, info = env.reset(seed=0)
    assert info == {"task_id": task_id, "seed": 0, "faults": faults}
    rewards: list[float] = []
    final: dict[str, Any] = {}

    def call(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        observation, reward, terminated, truncated, step_info = env.step(
            json.dumps({"tool": tool, "arguments": arguments})
        )
        rewards.append(float(reward))
        final.update(step_info, terminated=terminated, truncated=truncated)
        return dict(json.loads(observation))

    ReferenceAgent().drive(task_id, call, json.loads(text))
    in_process = run_task(ReferenceAgent(), get_task(task_id), faults=faults, seed=0).result()
    assert (
        final["terminated"] and not final["truncated"] and final["score"] == in_process.score == 1.0
    )
    assert rewards[:-1] == [0.0] * (len(rewards) - 1) and rewards[-1] == in_process.score
    assert env.episode.result().trajectory_hash == in_process.trajectory_hash


def test_malformed_actions_are_failed_steps() -> None:
    env = AssayEnv("sup-retention-answer", render_mode="ansi")
    env.reset(seed=1)
    for action in ("not json", "[]", '{"arguments": {}}'):
        observation, reward, terminated, truncated, info = env.step(action)
        assert json.loads(observation)["error"]["code"] == "unknown_tool"
        assert (reward, terminated, truncated, info["ok"]) == (0.0, False, False, False)
    assert env.episode.step_count == 3
    assert env.render() == observation


def test_options_switch_faults_per_episode() -> None:
    env = AssayEnv("sup-eu-degraded")
    env.reset(seed=0, options={"faults": True})
    observation, *_ = env.step(
        json.dumps({"tool": "chat_post", "arguments": {"channel": "#support", "text": "x"}})
    )
    assert json.loads(observation)["error"]["code"] == "unavailable"
    env.reset(seed=0)
    observation, *_ = env.step(
        json.dumps({"tool": "chat_post", "arguments": {"channel": "#support", "text": "x"}})
    )
    assert json.loads(observation)["ok"]


def test_oversized_observations_are_replaced_by_an_error() -> None:
    env = AssayEnv("sup-retention-answer", max_observation=300)
    env.reset(seed=0)
    observation, *_ = env.step(
        json.dumps({"tool": "docs_read", "arguments": {"doc_id": "doc-packet-priya"}})
    )
    assert json.loads(observation)["error"]["code"] == "observation_too_large"
    assert observation in env.observation_space
