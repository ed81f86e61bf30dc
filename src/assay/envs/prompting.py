"""How an episode is put into words for a chat model (and for SFT transcripts)."""

from __future__ import annotations

import json
from typing import Any

SYSTEM_TEMPLATE = (
    "You are {name} ({role}, {email}) at a small company. You act only through the tools "
    "you are given: mail, chat, tickets, the code repository, the calendar and docs. The "
    "current time is {clock}. Do the task you are asked, change nothing else, and call the "
    "finish tool when you are done. Tools can fail: read the error, retry transient failures "
    "(outages, rate limits, 5xx, timeouts), and use another channel when one stays down."
)


def system_prompt(first_observation: dict[str, Any]) -> str:
    """Write the system message for an episode from its first observation."""
    actor = first_observation["actor"]
    return SYSTEM_TEMPLATE.format(
        name=actor["name"],
        role=actor["role"],
        email=actor["email"],
        clock=first_observation["clock"],
    )


def observation_text(observation: dict[str, Any]) -> str:
    """Render a tool observation as the content of a ``tool`` message (compact JSON)."""
    return json.dumps(observation, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
