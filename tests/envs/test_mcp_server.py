from __future__ import annotations

import json
import sys
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from assay.envs import ALL_TOOLS, ReferenceAgent, get_task, run_task

TASK = "eng-remove-secret"  # faults include parameter drift, so the MCP tool list must follow it


async def _drive(actions: list[tuple[str, Any]]) -> dict[str, Any]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "assay.envs.mcp_server", "--task", TASK, "--faults", "--seed", "0"],
    )
    out: dict[str, Any] = {}
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        out["tools"] = {t.name: t for t in tools}
        out["results"] = [await client.call_tool(tool, arguments) for tool, arguments in actions]
        out["after"] = await client.call_tool("wait", {"seconds": 1})
        grade = await client.read_resource("assay://episode/grade")
        state = await client.read_resource("assay://episode/state")
        out["grade"] = json.loads(grade.contents[0].text)
        out["state"] = json.loads(state.contents[0].text)
        out["resources"] = [str(r.uri) for r in (await client.list_resources()).resources]
    return out


def test_the_same_task_scores_the_same_over_mcp_stdio() -> None:
    reference = run_task(ReferenceAgent(), get_task(TASK), faults=True, seed=0)
    actions = [(r.tool, r.arguments) for r in reference.records]
    out = anyio.run(_drive, actions)

    assert set(out["tools"]) == set(ALL_TOOLS)
    assert "text" in out["tools"]["code_write_file"].input_schema["properties"]
    # The plan's first write uses the pre-drift parameter name: a tool error the client can read.
    codes = [r.structured_content["error"]["code"] for r in out["results"] if r.is_error]
    assert codes == ["invalid_arguments"]
    assert [r.structured_content for r in out["results"]] == [
        r.observation for r in reference.records
    ]
    assert out["after"].is_error and out["after"].structured_content["error"]["code"] == "conflict"
    assert out["grade"]["score"] == reference.grade().score == 1.0
    assert out["state"]["state_hash"] == reference.universe.snapshot_hash()
    assert out["state"]["step_count"] == reference.step_count
    assert out["resources"] == [
        "assay://episode/grade",
        "assay://episode/state",
        "assay://episode/trajectory",
    ]
