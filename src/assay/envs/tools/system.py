"""Tools that belong to no app: the company directory, waiting, and finishing the episode."""

from __future__ import annotations

from typing import Any

from assay.envs.schema import integer, parameters, string
from assay.envs.tools._base import Tool, matches_query, registrar
from assay.envs.universe import Universe

TOOLS: list[Tool] = []
tool = registrar(TOOLS, app="system")
directory = registrar(TOOLS, app="people")

FINISH = "finish"


@directory(
    "people_search",
    "Look people up in the company directory by name, role, team, handle or address.",
    parameters(["query"], query=string("Words to look for.")),
)
def people_search(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Search the directory."""
    fields = ("name", "email", "handle", "role", "team")
    return [
        p.model_dump(
            mode="json", include={"id", "name", "email", "handle", "role", "team", "external"}
        )
        for p in sorted(universe.people.values(), key=lambda p: p.id)
        if matches_query(universe.text_of(p, *fields), args["query"])
    ]


@tool(
    "wait",
    "Let time pass (for example before retrying a service that is down or rate limited).",
    parameters(["seconds"], seconds=integer("How long to wait.", minimum=1, maximum=3600)),
)
def wait(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Advance the clock."""
    universe.clock.advance(args["seconds"])
    return {"now": universe.clock.iso()}


@tool(
    FINISH,
    "End the episode when the task is done (or cannot be done), with a short summary.",
    parameters(["summary"], summary=string("What you did and why.")),
)
def finish(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """End the episode."""
    return {"finished": True}
