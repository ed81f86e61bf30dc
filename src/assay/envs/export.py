"""Trajectories as chat-with-tool-calls JSONL, the shape SFT pipelines take (OpenAI format)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assay.envs.episode import Episode, StepRecord
from assay.envs.prompting import observation_text, system_prompt


def to_chat(episode: Episode) -> dict[str, Any]:
    """One episode as ``{"messages", "tools", "metadata"}``.

    Every step becomes an assistant message with one tool call and the tool message that answers
    it; the arguments are kept as the agent sent them.
    """
    first = episode.first_observation()
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system_prompt(first)},
        {"role": "user", "content": episode.task.instruction},
    ]
    for record in episode.records:
        messages.extend(_step_messages(record))
    result = episode.result()
    return {
        "messages": messages,
        "tools": [t.openai() for t in episode.tools(at_step=1)],
        "metadata": {
            "task_id": episode.task.id,
            "seed": episode.seed,
            "faults": episode.with_faults,
            "score": result.score,
            "success": result.success,
            "trajectory_hash": result.trajectory_hash,
        },
    }


def _step_messages(record: StepRecord) -> list[dict[str, Any]]:
    """One step as an assistant tool call and the tool message answering it."""
    call_id = f"call_{record.step}"
    arguments = record.arguments
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False, sort_keys=True)
    call = {
        "id": call_id,
        "type": "function",
        "function": {"name": record.tool, "arguments": arguments},
    }
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": observation_text(record.observation)},
    ]


def export_jsonl(episodes: Iterable[Episode], path: str | Path, *, min_score: float = 0.0) -> int:
    """Write episodes scoring at least ``min_score`` as JSONL; returns how many were written."""
    written = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for episode in episodes:
            line = to_chat(episode)
            if line["metadata"]["score"] >= min_score:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                written += 1
    return written
