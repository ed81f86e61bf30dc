"""Chat tools: list channels, read, search and post messages, send direct messages."""

from __future__ import annotations

from typing import Any

from assay.envs.records import Channel, ChatMessage
from assay.envs.schema import integer, parameters, string
from assay.envs.tools._base import (
    Tool,
    matches_query,
    newest_first,
    registrar,
    require_text,
    resolve_person,
)
from assay.envs.universe import Universe
from assay.errors import InvalidInput, NotFound

TOOLS: list[Tool] = []
tool = registrar(TOOLS, app="chat")


def find_channel(universe: Universe, ref: str) -> Channel:
    """Find a channel the actor can see, by id or name (``#support`` or ``support``).

    Raises:
        NotFound: no such channel, or a DM the actor is not part of.

    """
    channels = universe.channels
    channel = channels.get(ref)
    if channel is None:
        name = ref.strip().lstrip("#").lower()
        channel = next((c for c in channels.values() if c.name.lower() == name), None)
    if channel is None or (channel.kind == "dm" and universe.actor not in channel.members):
        raise NotFound(f"no channel {ref!r}", details={"channel": ref})
    return channel


def _view(message: ChatMessage, universe: Universe) -> dict[str, Any]:
    author = universe.people.get(message.author)
    view: dict[str, Any] = {
        "id": message.id,
        "channel": message.channel,
        "author": author.name if author else message.author,
        "author_id": message.author,
        "text": message.text,
        "ts": message.ts,
    }
    if message.thread:
        view["thread"] = message.thread
    return view


def _post(universe: Universe, channel: Channel, text: str, thread: str | None) -> dict[str, Any]:
    if thread is not None:
        parent = universe.chat.get(thread)
        if parent is None or parent.channel != channel.id:
            raise NotFound(f"no message {thread!r} in {channel.name}", details={"thread": thread})
    text = require_text(text, "text")
    message = ChatMessage(
        id=universe.new_id("c", 4),
        channel=channel.id,
        author=universe.actor,
        text=text,
        ts=universe.clock.iso(),
        thread=thread,
    )
    universe.put("chat", message)
    return {"id": message.id, "channel": channel.id, "ts": message.ts}


@tool(
    "chat_list_channels",
    "List the chat channels and your direct-message conversations.",
    parameters(),
)
def chat_list_channels(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """List visible channels."""
    me = universe.actor
    return [
        {"id": c.id, "name": c.name, "kind": c.kind, "topic": c.topic, "members": len(c.members)}
        for c in sorted(universe.channels.values(), key=lambda c: c.id)
        if c.kind == "channel" or me in c.members
    ]


@tool(
    "chat_read",
    "Read the latest messages of a channel, oldest first.",
    parameters(
        ["channel"],
        channel=string("Channel id or name, e.g. '#support'."),
        limit=integer("How many messages (default 20).", minimum=1, maximum=100),
    ),
)
def chat_read(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Read a channel."""
    channel = find_channel(universe, args["channel"])
    messages = newest_first((m for m in universe.chat.values() if m.channel == channel.id), "ts")[
        : args.get("limit", 20)
    ]
    return {
        "channel": channel.id,
        "name": channel.name,
        "messages": [_view(m, universe) for m in reversed(messages)],
    }


@tool(
    "chat_search",
    "Search chat messages you can see (newest first); every word must appear.",
    parameters(
        ["query"],
        query=string("Words to look for."),
        channel=string("Only this channel."),
        limit=integer("How many messages (default 10).", minimum=1, maximum=50),
    ),
)
def chat_search(universe: Universe, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Search chat."""
    only = find_channel(universe, args["channel"]).id if "channel" in args else None
    visible = {
        c.id
        for c in universe.channels.values()
        if c.kind == "channel" or universe.actor in c.members
    }
    hits = [
        m
        for m in universe.chat.values()
        if m.channel in visible
        and (only is None or m.channel == only)
        and matches_query(universe.text_of(m, "text"), args["query"])
    ]
    return [_view(m, universe) for m in newest_first(hits, "ts")[: args.get("limit", 10)]]


@tool(
    "chat_post",
    "Post a message to a channel, optionally as a reply in a thread.",
    parameters(
        ["channel", "text"],
        channel=string("Channel id or name, e.g. '#incidents'."),
        text=string("Message text."),
        thread=string("Id of the message to reply under."),
    ),
    writes=True,
)
def chat_post(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Post to a channel."""
    channel = find_channel(universe, args["channel"])
    return _post(universe, channel, args["text"], args.get("thread"))


@tool(
    "chat_send_dm",
    "Send a direct message to a colleague.",
    parameters(
        ["person", "text"],
        person=string("Person id, name or handle."),
        text=string("Message text."),
    ),
    writes=True,
)
def chat_send_dm(universe: Universe, args: dict[str, Any]) -> dict[str, Any]:
    """Send a direct message, opening the conversation if needed."""
    person = resolve_person(universe, args["person"])
    if person.external or person.members:
        raise InvalidInput(f"{person.name} is not on chat", details={"person": person.id})
    if person.id == universe.actor:
        raise InvalidInput("you cannot send a direct message to yourself")
    text = require_text(args["text"], "text")
    pair = sorted((universe.actor, person.id))
    channel_id = f"dm-{pair[0]}-{pair[1]}"
    channel = universe.channels.get(channel_id)
    if channel is None:
        channel = Channel(
            id=channel_id, name=f"dm {pair[0]} {pair[1]}", kind="dm", members=tuple(pair)
        )
        universe.put("channels", channel)
    return _post(universe, channel, text, None)
