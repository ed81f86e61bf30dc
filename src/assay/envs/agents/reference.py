"""The scripted reference agent: a written plan per task, executed through the tools.

Plans are ordinary functions of a ``PlanContext``. The context is where fallbacks live: with
``fallbacks=True`` it retries calls that failed for transient reasons (outage, 429, 5xx,
timeout), waiting between tries; re-maps arguments when a tool's parameters drifted; re-reads
data it can tell is stale; and lets a plan switch to another channel when one stays down. With
``fallbacks=False`` the same plans make each call once, which is how the robustness ratio shows
what the fallbacks are worth.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assay.envs.episode import Episode

Caller = Callable[[str, dict[str, Any]], dict[str, Any]]
"""Calls one tool and returns the observation (in-process, over Gymnasium, HTTP or MCP)."""

Plan = Callable[["PlanContext"], None]
"""A written plan for one task."""

TRANSIENT = frozenset({"unavailable", "rate_limited", "server_error", "bad_gateway", "timeout"})
_WAS = re.compile(r"\(was '([^']+)'\)")


def registrar(plans: dict[str, Plan]) -> Callable[[str], Callable[[Plan], Plan]]:
    """Make a decorator factory that files plans under their task id in ``plans``."""

    def plan(task_id: str) -> Callable[[Plan], Plan]:
        def add(function: Plan) -> Plan:
            plans[task_id] = function
            return function

        return add

    return plan


class PlanStopped(Exception):
    """The episode ended (step limit) before the plan did."""


class PlanFailed(Exception):
    """A call the plan depends on failed for good."""


class PlanContext:
    """The tools as a plan sees them, with the fallbacks a careful engineer would use.

    Args:
        call: how to reach the environment.
        first: the first observation (it carries the clock).
        fallbacks: whether to retry, re-map drifted parameters and re-read stale data.
        attempts: how many tries a transient failure gets when fallbacks are on.

    """

    def __init__(
        self, call: Caller, first: dict[str, Any], *, fallbacks: bool, attempts: int = 6
    ) -> None:
        self._call = call
        self.fallbacks = fallbacks
        self.attempts = attempts if fallbacks else 1
        self.clock = str(first.get("clock", ""))
        self.finished = False
        self.stale = False

    def call(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """Call a tool once (re-mapping drifted parameter names when fallbacks are on)."""
        before = self.clock
        obs = self._raw(tool, arguments)
        if self.fallbacks and not obs["ok"] and obs["error"]["code"] == "invalid_arguments":
            remapped = _remap(arguments, obs["error"].get("details") or {})
            if remapped is not None:
                obs = self._raw(tool, remapped)
        # A read served from an old snapshot says so: its as_of is before the step began.
        self.stale = bool(obs.get("as_of")) and str(obs["as_of"]) < before
        return obs

    def _raw(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        obs = self._call(tool, arguments)
        self.clock = str(obs.get("clock", self.clock))
        if obs.get("done") and tool != "finish":
            raise PlanStopped(tool)
        return obs

    def attempt(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """Call a tool, retrying transient failures if fallbacks are on; never raise on errors."""
        obs = self.call(tool, **arguments)
        for _ in range(self.attempts - 1):
            if obs["ok"] or obs["error"]["code"] not in TRANSIENT:
                break
            self.call("wait", seconds=60)
            obs = self.call(tool, **arguments)
        return obs

    def value(self, tool: str, **arguments: Any) -> Any:
        """Return the result of a call that must succeed (after any retries).

        Raises:
            PlanFailed: it did not.

        """
        obs = self.attempt(tool, **arguments)
        if not obs["ok"]:
            raise PlanFailed(f"{tool}: {obs['error']['code']}")
        return obs["result"]

    def fresh(self, tool: str, **arguments: Any) -> Any:
        """Like ``value`` for a read, but (with fallbacks) waits out stale answers first."""
        obs = self.attempt(tool, **arguments)
        for _ in range(self.attempts - 1):
            if not (obs["ok"] and self.stale):
                break
            self.call("wait", seconds=60)
            obs = self.attempt(tool, **arguments)
        if not obs["ok"]:
            raise PlanFailed(f"{tool}: {obs['error']['code']}")
        return obs["result"]

    def either(
        self, primary: tuple[str, dict[str, Any]], fallback: tuple[str, dict[str, Any]]
    ) -> dict[str, Any]:
        """Do ``primary``; if it keeps failing and fallbacks are on, do ``fallback`` instead."""
        obs = self.attempt(primary[0], **primary[1])
        if not obs["ok"] and self.fallbacks:
            obs = self.attempt(fallback[0], **fallback[1])
        return obs

    def finish(self, summary: str) -> None:
        """End the episode."""
        if not self.finished:
            self.finished = True
            self._call("finish", {"summary": summary})


def _remap(arguments: dict[str, Any], details: dict[str, Any]) -> dict[str, Any] | None:
    """Rename arguments whose parameter was renamed, reading the '(was ...)' notes of the schema."""
    properties = (details.get("parameters") or {}).get("properties") or {}
    renamed = {}
    for name, spec in properties.items():
        match = _WAS.search(str(spec.get("description", "")))
        if match:
            renamed[match.group(1)] = name
    if not renamed or not any(key in renamed for key in arguments):
        return None
    return {renamed.get(key, key): value for key, value in arguments.items()}


class ReferenceAgent:
    """Runs the written plan of each task.

    Args:
        plans: plans by task id (the bundled ones by default).
        fallbacks: whether plans use their fallbacks.

    """

    def __init__(self, plans: dict[str, Plan] | None = None, *, fallbacks: bool = True) -> None:
        if plans is None:
            from assay.envs.agents.plans import PLANS

            plans = PLANS
        self.plans = plans
        self.fallbacks = fallbacks
        self.name = "reference" if fallbacks else "reference-naive"

    def run(self, episode: Episode) -> None:
        """Drive an in-process episode to its end."""
        self.drive(episode.task.id, episode.step, episode.first_observation())

    def drive(self, task_id: str, call: Caller, first: dict[str, Any]) -> None:
        """Run the plan for ``task_id`` through any caller, then finish."""
        ctx = PlanContext(call, first, fallbacks=self.fallbacks)
        outcome = "done"
        try:
            self.plans[task_id](ctx)
        except PlanStopped:
            return
        except PlanFailed as error:
            outcome = f"gave up: {error}"
        ctx.finish(f"Plan for {task_id}: {outcome}.")
