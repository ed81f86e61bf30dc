"""The tools every universe app exposes, gathered into one catalogue by name."""

from __future__ import annotations

from assay.envs.tools import calendar, chat, code, docs, mail, system, tickets
from assay.envs.tools._base import Handler, Tool, registrar

ALL_TOOLS: dict[str, Tool] = {
    t.name: t
    for module in (mail, chat, tickets, code, calendar, docs, system)
    for t in module.TOOLS
}
"""Every tool by name, in a stable order (apps, then their tools as declared)."""

APPS: tuple[str, ...] = ("mail", "chat", "tickets", "code", "calendar", "docs", "people", "system")

__all__ = ["ALL_TOOLS", "APPS", "Handler", "Tool", "registrar"]
