"""Docs tools: search, read, create and edit shared documents."""

from __future__ import annotations

from typing import Any

from assay.envs.records import Doc
from assay.envs.schema import integer, parameters, string
from assay.envs.tools._base import (
    Tool,
    matches_query,
    newest_first,
    registrar,
    require_text,
    snippet,
)
from assay.envs.universe import Universe
from assay.errors import Conflict, NotFound

TOOLS: list[Tool] = []
tool = registrar(TOOLS, app="docs")


def _doc(universe: Universe, doc_id: str) -> Doc:
    doc = universe.docs.get(doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id!r}", details={"doc_id": doc_id})
    return doc


def _summary(doc: Doc) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "folder": doc.folder,
        "owner": doc.owner,
        "updated_at": doc.updated_at,
        "snippet": snippet(doc.body),
    }


@tool(
    "docs_search",
    "Search documents by title and content (most recently updated first).",
    parameters(
        query=string("Words to look for; empty lists recent documents."),
        limit=integer("How many documents (default 10).", minimum=1, maximum=50),
    ),
)
def docs_search(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Search documents."""
    query = args.get("query", "")
    hits = [
        d
        for d in universe.docs.values()
        if matches_query(universe.text_of(d, "title", "body"), query)
    ]
    return [_summary(d) for d in newest_first(hits, "updated_at")[: args.get("limit", 10)]]


@tool(
    "docs_read",
    "Read a document in full.",
    parameters(["doc_id"], doc_id=string("Document id, e.g. 'doc-runbook'.")),
)
def docs_read(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Read a document."""
    return _doc(universe, args["doc_id"]).model_dump(mode="json")


@tool(
    "docs_create",
    "Create a document; titles are unique.",
    parameters(
        ["title", "body"],
        title=string("Title."),
        body=string("Content (markdown)."),
        folder=string("Folder, e.g. 'hiring'."),
    ),
    writes=True,
)
def docs_create(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Create a document."""
    title = require_text(args["title"], "title")
    if any(d.title.lower() == title.lower() for d in universe.docs.values()):
        raise Conflict(f"a document titled {title!r} already exists", details={"title": title})
    doc = Doc(
        id=universe.new_id("doc"),
        title=title,
        body=args["body"],
        owner=universe.actor,
        folder=args.get("folder", ""),
        updated_at=universe.clock.iso(),
    )
    universe.put("docs", doc)
    return _summary(doc)


@tool(
    "docs_update",
    "Replace a document's content (and optionally its title).",
    parameters(
        ["doc_id", "body"],
        doc_id=string("Document id."),
        body=string("The whole new content."),
        title=string("New title."),
    ),
    writes=True,
)
def docs_update(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Replace a document's content."""
    doc = _doc(universe, args["doc_id"])
    changes: dict[str, Any] = {"body": args["body"], "updated_at": universe.clock.iso()}
    if "title" in args:
        changes["title"] = require_text(args["title"], "title")
    updated = doc.model_copy(update=changes)
    universe.put("docs", updated)
    return _summary(updated)


@tool(
    "docs_append",
    "Append text to the end of a document.",
    parameters(["doc_id", "text"], doc_id=string("Document id."), text=string("Text to add.")),
    writes=True,
)
def docs_append(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Append to a document."""
    doc = _doc(universe, args["doc_id"])
    text = require_text(args["text"], "text")
    body = f"{doc.body.rstrip()}\n{text}\n"
    updated = doc.model_copy(update={"body": body, "updated_at": universe.clock.iso()})
    universe.put("docs", updated)
    return _summary(updated)
