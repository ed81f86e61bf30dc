from __future__ import annotations

import json
from pathlib import Path

from assay.envs import RandomAgent, ReferenceAgent, export_jsonl, get_task, run_task, to_chat


def test_a_trajectory_becomes_a_chat_with_tool_calls() -> None:
    episode = run_task(ReferenceAgent(), get_task("eng-merge-retry-pr"), faults=True)
    chat = to_chat(episode)
    messages = chat["messages"]
    assert [m["role"] for m in messages[:2]] == ["system", "user"]
    assert (
        "Sam Okafor" in messages[0]["content"]
        and messages[1]["content"] == episode.task.instruction
    )
    pairs = list(zip(messages[2::2], messages[3::2], strict=True))
    assert len(pairs) == len(episode.records)
    for (call, answer), record in zip(pairs, episode.records, strict=True):
        tool_call = call["tool_calls"][0]
        assert call["role"] == "assistant" and answer["role"] == "tool"
        assert answer["tool_call_id"] == tool_call["id"]
        assert tool_call["function"]["name"] == record.tool
        assert json.loads(tool_call["function"]["arguments"]) == record.arguments
        assert json.loads(answer["content"]) == record.observation
    assert (
        pairs[0][1]["content"].startswith('{"clock"') and '"unavailable"' in pairs[0][1]["content"]
    )
    assert {t["function"]["name"] for t in chat["tools"]} >= {"code_run_ci", "finish"}
    assert chat["metadata"]["score"] == 1.0 and chat["metadata"]["faults"] is True


def test_export_writes_one_line_per_episode_above_the_score_floor(tmp_path: Path) -> None:
    task = get_task("sup-retention-answer")
    good = run_task(ReferenceAgent(), task)
    bad = run_task(RandomAgent(), task)
    path = tmp_path / "sft.jsonl"
    assert export_jsonl([good, bad], path) == 2
    assert export_jsonl([good, bad], path, min_score=0.9) == 1
    lines = path.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["metadata"]["task_id"] == "sup-retention-answer"
