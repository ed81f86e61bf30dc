"""An MCP server exposing one episode's tools; run ``python -m assay.envs.mcp_server --task ID``.

Every universe tool is an MCP tool (its JSON schema as the input schema, drift included); a
tool's failure comes back as an ``is_error`` result carrying the same observation as in-process,
so agents can read it and recover. The grade, state and trajectory are resources
(``assay://episode/grade`` and friends), kept out of the tool list so an agent cannot grade
itself.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

import anyio
import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

from assay.envs.episode import Episode
from assay.envs.tasks import get_task
from assay.errors import AssayError

RESOURCES = {
    "assay://episode/grade": "The grade of the episode so far (score, checks, pending rubric).",
    "assay://episode/state": "Step count, clock, done flags and the universe's snapshot hash.",
    "assay://episode/trajectory": "Every step recorded so far.",
}


def _resource(episode: Episode, uri: str) -> dict[str, Any]:
    if uri == "assay://episode/grade":
        return episode.grade().model_dump(mode="json")
    if uri == "assay://episode/state":
        return {
            "task_id": episode.task.id,
            "step_count": episode.step_count,
            "done": episode.done,
            "clock": episode.universe.clock.iso(),
            "state_hash": episode.universe.snapshot_hash(),
        }
    return {"steps": [r.to_dict() for r in episode.records]}


class _Handlers:
    """The MCP request handlers of one episode."""

    def __init__(self, episode: Episode) -> None:
        self.episode = episode

    async def list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        tools = self.episode.tools()
        return types.ListToolsResult(
            tools=[
                types.Tool(name=t.name, description=t.description, input_schema=t.parameters)
                for t in tools
            ]
        )

    async def call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        try:
            observation = self.episode.step(params.name, params.arguments or {})
        except AssayError as error:
            observation = {"ok": False, "error": {"code": error.code, "message": error.message}}
        text = json.dumps(observation, ensure_ascii=False, sort_keys=True)
        return types.CallToolResult(
            content=[types.TextContent(text=text)],
            structured_content=observation,
            is_error=not observation["ok"],
        )

    async def list_resources(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[
                types.Resource(
                    uri=uri,
                    name=uri.rsplit("/", 1)[-1],
                    description=text,
                    mime_type="application/json",
                )
                for uri, text in RESOURCES.items()
            ]
        )

    async def read_resource(
        self, ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        if uri not in RESOURCES:
            raise ValueError(f"unknown resource {uri}")
        text = json.dumps(_resource(self.episode, uri), ensure_ascii=False, sort_keys=True)
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, text=text, mime_type="application/json")]
        )


def build_server(episode: Episode) -> Server[Any]:
    """Build an MCP server driving ``episode``."""
    handlers = _Handlers(episode)
    return Server(
        "assay-envs",
        instructions=episode.task.instruction,
        on_list_tools=handlers.list_tools,
        on_call_tool=handlers.call_tool,
        on_list_resources=handlers.list_resources,
        on_read_resource=handlers.read_resource,
    )


async def serve_stdio(episode: Episode) -> None:
    """Serve ``episode`` over standard input and output until the client disconnects."""
    server = build_server(episode)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m assay.envs.mcp_server", description=__doc__)
    parser.add_argument("--task", required=True, help="bundled task id")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", action="store_true", help="run with the task's fault plan")
    args = parser.parse_args(argv)
    episode = Episode(get_task(args.task), faults=args.faults, seed=args.seed)
    anyio.run(serve_stdio, episode)


if __name__ == "__main__":
    main()
