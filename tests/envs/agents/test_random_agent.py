from __future__ import annotations

import random

from assay.envs import ALL_TOOLS, RandomAgent, get_task, run_task
from assay.envs.agents.random_agent import random_arguments


def test_random_arguments_have_the_required_keys_and_schema_types() -> None:
    rng = random.Random(0)
    for tool in ALL_TOOLS.values():
        for _ in range(5):
            arguments = random_arguments(tool, rng)
            assert (
                set(tool.parameters["required"])
                <= set(arguments)
                <= set(tool.parameters["properties"])
            )
            assert tool.validate(arguments) == []


def test_a_random_walk_is_reproducible_and_ends_the_episode() -> None:
    task = get_task("eng-fix-tax-rounding")
    first = run_task(RandomAgent(seed=1, steps=10), task)
    second = run_task(RandomAgent(seed=1, steps=10), task)
    assert first.finished and first.step_count == 11
    assert first.trajectory_hash() == second.trajectory_hash()
    assert (
        run_task(RandomAgent(seed=2, steps=10), task).trajectory_hash() != first.trajectory_hash()
    )
