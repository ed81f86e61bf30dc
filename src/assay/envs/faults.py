"""Declarative, seeded fault injection: outages, latency, errors, rate limits, stale reads, drift.

A fault plan is data (JSON in a task file). ``FaultInjector`` applies it step by step; every
random choice comes from a generator seeded by (episode seed, fault index), so the same seed and
the same actions always meet the same faults. Windows are counted in episode steps, inclusive.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assay.envs.tools import Tool
from assay.envs.universe import Universe

_STATUS_CODES = {
    429: "rate_limited",
    500: "server_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "timeout",
}


class ScheduledEvent(BaseModel):
    """Something that happens in the universe at a step, whatever the agent does.

    ``record`` is stored in ``collection``: a new record (id and timestamps filled in when
    missing) or, when its id exists, an update of that record's fields. ``notify`` is shown to the
    agent in that step's observation, like a push notification.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    at_step: int = Field(ge=1)
    collection: Literal["emails", "chat", "tickets", "events", "docs"]
    record: dict[str, Any]
    notify: str | None = None


class _WindowFault(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    app: str | None = None
    tool: str | None = None
    start: int = Field(default=1, ge=1)
    end: int | None = None
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    max_hits: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _has_target(self) -> _WindowFault:
        if self.app is None and self.tool is None:
            raise ValueError("a fault needs an 'app' or a 'tool' to target")
        return self

    def active(self, step: int) -> bool:
        """Whether ``step`` is inside this fault's window."""
        return self.start <= step and (self.end is None or step <= self.end)

    def targets(self, tool: Tool) -> bool:
        """Whether this fault applies to calls of ``tool``."""
        return (
            tool.app != "system"
            and (self.app is None or tool.app == self.app)
            and (self.tool is None or tool.name == self.tool)
        )


class Outage(_WindowFault):
    """The app answers 503 (service unavailable) during the window."""

    kind: Literal["outage"] = "outage"


class Latency(_WindowFault):
    """Calls take ``seconds`` longer (on the frozen clock); past ``timeout`` they fail with 504."""

    kind: Literal["latency"] = "latency"
    seconds: float = Field(gt=0)
    timeout: float | None = None


class ErrorFault(_WindowFault):
    """Calls fail with an HTTP-like status (429 or 5xx) with some probability."""

    kind: Literal["error"] = "error"
    status: Literal[429, 500, 502, 503] = 503


class RateLimit(_WindowFault):
    """At most ``limit`` calls in any ``per_steps`` consecutive steps; more answer 429."""

    kind: Literal["rate_limit"] = "rate_limit"
    limit: int = Field(ge=1)
    per_steps: int = Field(ge=1)


class StaleReads(_WindowFault):
    """Read-only calls see the app as it was when the window opened (before that step's events)."""

    kind: Literal["stale_reads"] = "stale_reads"


class Drift(_WindowFault):
    """From ``start`` on, the tool's parameters are renamed and its description says so."""

    kind: Literal["drift"] = "drift"
    rename: dict[str, str]
    note: str = ""


class Distractor(ScheduledEvent):
    """An unrelated or misleading event (spam, a phishing mail, a noisy ping) on a schedule."""

    kind: Literal["distractor"] = "distractor"


Fault = Annotated[
    Outage | Latency | ErrorFault | RateLimit | StaleReads | Drift | Distractor,
    Field(discriminator="kind"),
]
"""Any declarative fault, told apart by its ``kind``."""


@dataclass(slots=True)
class Injection:
    """What the faults did to one call: an error instead of the call, delay, a stale view."""

    kind: str | None = None
    status: int | None = None
    message: str = ""
    retry_after_steps: int | None = None
    latency: float = 0.0
    stale_as_of: str | None = None
    stale_view: Universe | None = field(default=None, repr=False)

    @property
    def blocked(self) -> bool:
        """Whether the call fails instead of running."""
        return self.status is not None

    @property
    def code(self) -> str:
        """The error code of a blocked call."""
        return _STATUS_CODES.get(self.status or 0, "error")

    def record(self) -> dict[str, Any] | None:
        """Return the injection as trajectory data, or None when nothing was injected."""
        if self.kind is None:
            return None
        out: dict[str, Any] = {"kind": self.kind}
        if self.status is not None:
            out["status"] = self.status
        if self.latency:
            out["latency_s"] = self.latency
        if self.stale_as_of is not None:
            out["as_of"] = self.stale_as_of
        return out


class FaultInjector:
    """Applies a fault plan to an episode, step by step.

    Args:
        faults: the plan.
        seed: the episode seed; with the same actions it fixes every fault that fires.

    """

    def __init__(self, faults: Sequence[Any], seed: int) -> None:
        self.calls: tuple[_WindowFault, ...] = tuple(
            f for f in faults if isinstance(f, _WindowFault)
        )
        self.drifts = tuple(f for f in self.calls if isinstance(f, Drift))
        self.events: dict[int, list[ScheduledEvent]] = {}
        for event in faults:
            if isinstance(event, ScheduledEvent):
                self.events.setdefault(event.at_step, []).append(event)
        self._rngs = [
            random.Random(f"{seed}:{i}:{type(f).__name__}") for i, f in enumerate(self.calls)
        ]
        self._hits = [0] * len(self.calls)
        self._recent: list[deque[int]] = [deque() for _ in self.calls]
        self._stale: dict[int, Universe] = {}

    def begin_step(self, step: int, universe: Universe) -> None:
        """Open stale-read windows that start at ``step`` (call before the step's events)."""
        for i, fault in enumerate(self.calls):
            if isinstance(fault, StaleReads) and fault.start == step:
                self._stale[i] = universe.fork()

    def tool_at(self, step: int, tool: Tool) -> Tool:
        """``tool`` as it looks at ``step``, after any drift."""
        for fault in self.drifts:
            if fault.active(step) and fault.targets(tool):
                tool = tool.renamed(fault.rename, fault.note)
        return tool

    def intercept(self, step: int, tool: Tool) -> Injection:
        """Decide what the faults do to a call of ``tool`` at ``step``."""
        injection = Injection()
        for i, fault in enumerate(self.calls):
            if isinstance(fault, Drift) or not fault.active(step) or not fault.targets(tool):
                continue
            self._apply(i, fault, step, tool, injection)
            if injection.blocked:
                break
        return injection

    def _apply(self, i: int, fault: _WindowFault, step: int, tool: Tool, out: Injection) -> None:
        if isinstance(fault, RateLimit):
            self._rate_limit(i, fault, step, out)
        elif isinstance(fault, StaleReads):
            view = self._stale.get(i)
            if view is not None and not tool.writes:
                out.kind, out.stale_view, out.stale_as_of = "stale_reads", view, view.clock.iso()
        elif self._fires(i, fault):
            self._hits[i] += 1
            if isinstance(fault, Latency):
                out.kind, out.latency = "latency", out.latency + fault.seconds
                if fault.timeout is not None and fault.seconds > fault.timeout:
                    out.status, out.message = (
                        504,
                        f"{tool.app} did not answer within {fault.timeout:g}s",
                    )
            elif isinstance(fault, Outage):
                out.kind, out.status = "outage", 503
                out.message = f"{tool.app} is unavailable (service outage)"
            elif isinstance(fault, ErrorFault):
                out.kind, out.status = "error", fault.status
                out.message = f"{tool.app} answered HTTP {fault.status}"
                out.retry_after_steps = 1 if fault.status == 429 else None

    def _fires(self, i: int, fault: _WindowFault) -> bool:
        if fault.max_hits is not None and self._hits[i] >= fault.max_hits:
            return False
        return fault.probability >= 1.0 or self._rngs[i].random() < fault.probability

    def _rate_limit(self, i: int, fault: RateLimit, step: int, out: Injection) -> None:
        recent = self._recent[i]
        while recent and recent[0] <= step - fault.per_steps:
            recent.popleft()
        if len(recent) >= fault.limit:
            out.kind, out.status = "rate_limit", 429
            out.retry_after_steps = recent[0] + fault.per_steps - step
            out.message = f"rate limit: {fault.limit} calls per {fault.per_steps} steps"
            return
        recent.append(step)
