"""Benchmark of assay.envs: agent scores with and without faults, and environment throughput.

Runs the reference agent (with and without its fallbacks) and a random agent on every bundled
task, clean and with faults; reports per-task and overall scores, pass^k over seeds, the
robustness ratio, and in-process tool steps per second (replaying recorded trajectories, the way
an RL trainer hammers an environment).

    .venv/bin/python bench/envs.py           # 3 seeds, 5 s of throughput
    .venv/bin/python bench/envs.py --quick   # 1 seed, 1 s of throughput
"""

from __future__ import annotations

import argparse
import platform
import time
from typing import Any

import _harness
from assay.envs import (
    Agent,
    Episode,
    RandomAgent,
    ReferenceAgent,
    bundled_tasks,
    robustness_ratio,
    run_task,
    summarise,
)
from assay.envs.episode import EpisodeResult


def emit(line: dict[str, Any], out: list[dict[str, Any]]) -> None:
    out.append(_harness.emit(line))


def run_agent(
    agent: Agent, faults: bool, seeds: list[int], trajectories: list[tuple[str, bool, list[Any]]]
) -> list[EpisodeResult]:
    """Every task once per seed; keeps each trajectory's actions for the throughput replay."""
    results = []
    for task in bundled_tasks().values():
        for seed in seeds:
            episode = run_task(agent, task, faults=faults, seed=seed)
            results.append(episode.result())
            trajectories.append((task.id, faults, [(r.tool, r.arguments) for r in episode.records]))
    return results


def agent_line(
    agent: Agent, clean: list[EpisodeResult], faulted: list[EpisodeResult], k: int
) -> dict[str, Any]:
    fallback_ids = {t.id for t in bundled_tasks().values() if t.needs_fallback}
    overall = summarise(clean, ks=[k]), summarise(faulted, ks=[k])
    subset = (
        summarise(r for r in clean if r.task_id in fallback_ids),
        summarise(r for r in faulted if r.task_id in fallback_ids),
    )
    return {
        "kind": "agent",
        "agent": agent.name,
        "tasks": len(overall[0].tasks),
        "runs_per_task": k,
        "score_clean": overall[0].mean_score,
        "score_faults": overall[1].mean_score,
        "success_clean": overall[0].success_rate,
        "success_faults": overall[1].success_rate,
        "pass_hat_clean": overall[0].pass_hat,
        "pass_hat_faults": overall[1].pass_hat,
        "robustness_ratio": robustness_ratio(*overall),
        "robustness_ratio_fallback_tasks": robustness_ratio(*subset),
        "fallback_tasks": len(fallback_ids),
        "steps_clean": overall[0].mean_steps,
        "steps_faults": overall[1].mean_steps,
    }


def score_agents(seeds: list[int], out: list[dict[str, Any]]) -> list[tuple[str, bool, list[Any]]]:
    """Run every agent on every task, clean and faulted; returns the trajectories it saw."""
    agents: list[Agent] = [ReferenceAgent(), ReferenceAgent(fallbacks=False), RandomAgent()]
    trajectories: list[tuple[str, bool, list[Any]]] = []
    for agent in agents:
        by_mode = {
            faults: run_agent(agent, faults, seeds, trajectories) for faults in (False, True)
        }
        for faults, results in by_mode.items():
            for t in summarise(results, ks=sorted({1, len(seeds)})).tasks:
                emit(
                    {
                        "kind": "task",
                        "agent": agent.name,
                        "faults": faults,
                        "task": t.task_id,
                        "score": t.mean_score,
                        "successes": t.successes,
                        "runs": t.runs,
                        "pass_hat": t.pass_hat,
                        "steps": t.mean_steps,
                        "tool_errors": t.tool_errors,
                    },
                    out,
                )
        emit(agent_line(agent, by_mode[False], by_mode[True], len(seeds)), out)
    return trajectories


def throughput(
    label: str,
    trajectories: list[tuple[str, bool, list[Any]]],
    seconds: float,
    out: list[dict[str, Any]],
) -> None:
    """Replay recorded trajectories in a loop: tool steps per second, with and without resets."""
    tasks = bundled_tasks()
    episodes = [
        (Episode(tasks[task_id], faults=faults), actions)
        for task_id, faults, actions in trajectories
    ]
    steps = resets = 0
    stepping = 0.0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for episode, actions in episodes:
            episode.reset()
            resets += 1
            tick = time.perf_counter()
            for tool, arguments in actions:
                episode.step(tool, arguments)
            stepping += time.perf_counter() - tick
            steps += len(actions)
    elapsed = time.perf_counter() - start
    emit(
        {
            "kind": "throughput",
            "trajectories": label,
            "tool_steps": steps,
            "episodes": resets,
            "seconds": round(elapsed, 3),
            "steps_per_s": round(steps / elapsed),
            "steps_per_s_excluding_resets": round(steps / stepping),
            "episodes_per_s": round(resets / elapsed),
            "goal_steps_per_s": 5000,
            "python": platform.python_version(),
        },
        out,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="one seed and a one-second throughput run"
    )
    args = parser.parse_args()
    seeds = [0] if args.quick else [0, 1, 2]
    out: list[dict[str, Any]] = []
    started = time.perf_counter()
    trajectories = score_agents(seeds, out)
    seconds = 1.0 if args.quick else 5.0
    # The reference agent's runs are real work (searches, reads, writes, CI); the full mix adds
    # the naive and random agents' runs, which fail more often and fail fast.
    reference = trajectories[: len(trajectories) // 3]
    throughput("reference agent", reference, seconds, out)
    throughput("all agents", trajectories, seconds, out)
    emit(
        {"kind": "done", "seconds": round(time.perf_counter() - started, 2), "quick": args.quick},
        out,
    )
    _harness.write_results("envs", out, quick=args.quick, seeds=seeds)


if __name__ == "__main__":
    main()
