"""The model agent runner: drives any OpenAI-compatible chat model with tool calling."""

from __future__ import annotations

from typing import Any

from assay.envs.agents.openai_client import ChatClient
from assay.envs.episode import Episode
from assay.envs.prompting import observation_text, system_prompt
from assay.errors import UpstreamError


class ModelAgent:
    """Plays an episode by asking a chat model for tool calls and executing them.

    The model sees the system prompt, the instruction, and every tool result; it ends the
    episode with the ``finish`` tool (a plain-text answer without tool calls also ends it, as its
    summary). If the endpoint fails for good, the episode is finished with the error as summary
    and the error is kept in ``errors``.

    Args:
        client: the chat-completions client.
        max_turns: model calls allowed per episode.
        temperature: sampling temperature sent with each request.

    """

    name = "model"

    def __init__(
        self, client: ChatClient, *, max_turns: int = 40, temperature: float = 0.0
    ) -> None:
        self.client = client
        self.max_turns = max_turns
        self.temperature = temperature
        self.errors: list[str] = []

    def run(self, episode: Episode) -> None:
        """Drive an in-process episode to its end."""
        first = episode.first_observation()
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system_prompt(first)},
            {"role": "user", "content": episode.task.instruction},
        ]
        for _ in range(self.max_turns):
            if episode.done:
                return
            try:
                reply = self.client.complete(
                    messages, episode.tool_specs(), temperature=self.temperature
                )
            except UpstreamError as error:
                self.errors.append(error.message)
                episode.step("finish", {"summary": f"stopped: {error.message}"})
                return
            self._take_turn(episode, messages, reply)
        if not episode.done:
            episode.step("finish", {"summary": "stopped: turn limit reached"})

    def _take_turn(
        self, episode: Episode, messages: list[dict[str, Any]], reply: dict[str, Any]
    ) -> None:
        calls = [c for c in reply.get("tool_calls") or [] if isinstance(c, dict)]
        messages.append(
            {
                "role": "assistant",
                "content": reply.get("content"),
                **({"tool_calls": calls} if calls else {}),
            }
        )
        if not calls:
            episode.step("finish", {"summary": str(reply.get("content") or "")})
            return
        for call in calls:
            function = call.get("function") or {}
            if episode.done:
                observation: dict[str, Any] = {
                    "ok": False,
                    "error": {"code": "episode_over", "message": "the episode ended"},
                }
            else:
                observation = episode.step(
                    str(function.get("name", "")), function.get("arguments") or "{}"
                )
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": str(call.get("id", "")),
                    "content": observation_text(observation),
                }
            )
