"""A deterministic offline chat model, so demos and tests work without a network or a GPU."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from assay.errors import InvalidInput
from assay.llm._completion import Completion, Message, Tool, Usage
from assay.llm._demo_text import STYLES, read_prompt, write_reply

__all__ = ["DemoModel"]


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


def _tokens(text: str) -> int:
    return (len(text) + 3) // 4  # about four characters a token


class DemoModel:
    """A demo model: canned, deterministic, plausible-sounding replies. Not a language model.

    It reads the last user message for its kind (how-to, why, what, comparison, code, other)
    and its content words, then writes a reply from sentence templates in the layout of its
    persona. Built-in personas differ in length and formatting, so side-by-side comparisons
    have something to judge:

    - ``concise``: one or two plain sentences.
    - ``thorough``: a markdown heading, bold-led bullets, caveats and a summary.
    - ``friendly``: conversational, with a warm opener and closer.
    - ``structured``: a numbered list, a code block for code questions, a bottom line.
    - ``cautious``: hedged, with a caveat to verify.

    Any other persona name (e.g. ``"demo-b"``) maps to one of these by a stable hash and
    writes its own variations. The same persona, seed and conversation always give the same
    reply. Sampling parameters are accepted; only ``max_tokens`` has an effect (truncation
    with ``finish_reason="length"``). Tools are not supported.

    Args:
        persona: The persona name, also reported as the completion's model.
        seed: Varies the replies of a persona without changing its style.
        params: Default parameters, overridden per call (only ``max_tokens`` is used).

    Example:
        >>> reply = DemoModel("concise").complete([{"role": "user", "content": "Why sleep?"}])
        >>> reply.finish_reason
        'stop'

    """

    def __init__(
        self, persona: str = "concise", *, seed: int = 0, params: Mapping[str, Any] | None = None
    ) -> None:
        if not persona:
            raise InvalidInput("A demo model needs a persona name.")
        self.persona = persona
        self.seed = seed
        self.params = dict(params or {})
        if persona in STYLES:
            self.style = persona
        else:
            digest = hashlib.sha256(persona.encode()).digest()
            self.style = STYLES[digest[0] % len(STYLES)]

    def __repr__(self) -> str:
        return f"DemoModel(persona={self.persona!r}, style={self.style!r}, seed={self.seed})"

    @staticmethod
    def personas() -> tuple[str, ...]:
        """Return the built-in persona names."""
        return STYLES

    def complete(
        self, messages: Sequence[Message], *, tools: Sequence[Tool] | None = None, **params: Any
    ) -> Completion:
        """Answer the conversation; see ``assay.llm.ChatModel.complete``.

        Raises:
            InvalidInput: No messages, a message without a role, or tools were given.

        """
        started = time.perf_counter()
        if tools:
            raise InvalidInput("The demo model answers plain chat only; it cannot call tools.")
        if not messages or not all(
            isinstance(m, Mapping) and isinstance(m.get("role"), str) for m in messages
        ):
            raise InvalidInput("A chat request needs messages, each with a 'role'.")
        fingerprint = self._fingerprint(messages)
        user_turns = [m for m in messages if m.get("role") == "user"]
        follow_up = any(m.get("role") == "assistant" for m in messages)
        prompt = read_prompt(
            _text_of(user_turns[-1].get("content")) if user_turns else "", follow_up
        )
        text = write_reply(self.style, prompt, random.Random(fingerprint))
        text, finish_reason = self._truncate(text, {**self.params, **params}.get("max_tokens"))
        prompt_tokens = sum(_tokens(_text_of(m.get("content"))) + 3 for m in messages)
        completion_tokens = _tokens(text)
        return Completion(
            content=text,
            finish_reason=finish_reason,
            usage=Usage(prompt_tokens, completion_tokens, prompt_tokens + completion_tokens),
            latency_ms=(time.perf_counter() - started) * 1000.0,
            model=self.persona,
            id=f"demo-{fingerprint[:24]}",
        )

    def _fingerprint(self, messages: Sequence[Message]) -> str:
        conversation = [
            {"role": m.get("role"), "content": _text_of(m.get("content"))} for m in messages
        ]
        key = json.dumps([self.persona, self.seed, conversation], sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def _truncate(text: str, max_tokens: Any) -> tuple[str, str]:
        if max_tokens is None:
            return text, "stop"
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            raise InvalidInput("max_tokens must be a positive integer.")
        limit = max_tokens * 4
        if len(text) <= limit:
            return text, "stop"
        cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
        return cut, "length"
