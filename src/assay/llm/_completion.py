"""What every chat model returns, and the Protocols a chat model satisfies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["AsyncChatModel", "ChatModel", "Completion", "Message", "Tool", "ToolCall", "Usage"]

#: A chat message in OpenAI shape: ``{"role": "user", "content": "..."}`` and friends.
Message = Mapping[str, Any]
#: A tool (function) specification in OpenAI shape: ``{"type": "function", "function": {...}}``.
Tool = Mapping[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """One function call the model asked for.

    Attributes:
        id: The call id, echoed back in the ``tool`` message that answers it.
        name: The function name.
        arguments_json: The arguments exactly as the model wrote them.
        arguments: The parsed arguments, or ``None`` when the model wrote invalid JSON
            (kept, not raised: a malformed call is model behaviour worth recording).

    """

    id: str
    name: str
    arguments_json: str
    arguments: dict[str, Any] | None

    @classmethod
    def from_openai(cls, call: Mapping[str, Any]) -> ToolCall:
        """Read a tool call from its OpenAI wire shape."""
        function = call.get("function") or {}
        raw = function.get("arguments")
        arguments_json = raw if isinstance(raw, str) else json.dumps(raw or {})
        try:
            parsed = json.loads(arguments_json)
        except ValueError:
            parsed = None
        return cls(
            id=str(call.get("id") or ""),
            name=str(function.get("name") or ""),
            arguments_json=arguments_json,
            arguments=parsed if isinstance(parsed, dict) else None,
        )

    def to_openai(self) -> dict[str, Any]:
        """Return the OpenAI wire shape, for putting the call back into a conversation."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments_json},
        }


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the endpoint (zeros when it reports none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    """A model's answer to one chat request.

    Attributes:
        content: The assistant text; ``None`` when the model only called tools.
        tool_calls: The tool calls, in the model's order.
        finish_reason: ``"stop"``, ``"length"``, ``"tool_calls"``, ``"content_filter"``, ...
        usage: Token counts.
        latency_ms: Wall time of the request that produced this answer (retries excluded).
        model: The model that answered, as the endpoint names it.
        id: The endpoint's id for this completion, when it gives one.
        attempts: How many requests it took (1 when the first one succeeded).

    """

    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str = "stop"
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0
    model: str = ""
    id: str | None = None
    attempts: int = 1

    def to_message(self) -> dict[str, Any]:
        """Return the assistant message to append to the conversation before the next turn."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [call.to_openai() for call in self.tool_calls]
        return message


@runtime_checkable
class ChatModel(Protocol):
    """Anything that answers a chat conversation: a remote endpoint or the demo model."""

    def complete(
        self, messages: Sequence[Message], *, tools: Sequence[Tool] | None = None, **params: Any
    ) -> Completion:
        """Answer the conversation.

        Args:
            messages: The conversation so far, oldest first, in OpenAI message shape.
            tools: Function specifications the model may call, in OpenAI shape.
            **params: Sampling parameters for this call (``temperature``, ``max_tokens``, ...),
                overriding the model's defaults.

        Returns:
            The model's completion.

        Raises:
            assay.errors.UpstreamError: The endpoint failed (after any retries).
            assay.errors.InvalidInput: The request cannot be sent as given.

        """
        ...


@runtime_checkable
class AsyncChatModel(Protocol):
    """The asynchronous twin of ``ChatModel``."""

    async def complete(
        self, messages: Sequence[Message], *, tools: Sequence[Tool] | None = None, **params: Any
    ) -> Completion:
        """Answer the conversation; see ``ChatModel.complete``."""
        ...
