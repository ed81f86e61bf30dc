"""Episodes: run a task step by step through its tools, record every step, grade the end state.

This is the in-process Python API; Gymnasium, HTTP and MCP are thin shells around it. A step is
kept lean (a dict lookup, a compiled argument check, the tool itself, one record appended) so an
environment does thousands of steps a second and is never the bottleneck of RL training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

from assay.envs.checks import Evidence
from assay.envs.faults import FaultInjector, Injection, ScheduledEvent, StaleReads
from assay.envs.generate import initial_universe, make_record
from assay.envs.grading import Grade, grade
from assay.envs.tasks import Task
from assay.envs.tools import ALL_TOOLS, Tool
from assay.envs.tools.system import FINISH
from assay.envs.universe import Universe
from assay.errors import AssayError, Conflict, InvalidInput


@dataclass(slots=True)
class StepRecord:
    """One step of a trajectory: the call, what came back, any fault, and the clock after it."""

    step: int
    tool: str
    arguments: Any
    observation: dict[str, Any]
    fault: dict[str, Any] | None = None
    clock: str = ""
    events: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return bool(self.observation["ok"])

    def to_dict(self) -> dict[str, Any]:
        """Return the step as JSON-ready data."""
        return asdict(self)


class EpisodeResult(BaseModel):
    """The summary of a finished (or stopped) episode."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    seed: int
    faults: bool
    score: float
    success: bool
    steps: int
    tool_errors: int
    injected_faults: int
    finished: bool
    truncated: bool
    trajectory_hash: str
    state_hash: str
    grade: Grade


class Episode:
    """One run of a task: reset, then call tools until ``finish`` or the step limit.

    Args:
        task: what to do and how it is graded.
        faults: ``True`` for the task's own fault plan, ``False`` for a clean run, or a plan.
        seed: fixes every random fault; same seed and same actions give the same trajectory.
        max_steps: overrides the task's step limit.

    """

    def __init__(
        self,
        task: Task,
        *,
        faults: bool | Sequence[Any] = False,
        seed: int = 0,
        max_steps: int | None = None,
    ) -> None:
        self.task = task
        self.seed = seed
        self.with_faults = bool(faults)
        self.plan: list[Any] = list(task.faults if faults is True else faults or [])
        self.max_steps = max_steps or task.max_steps
        self._initial = initial_universe(task)
        self._check_events()
        self.reset()

    def _check_events(self) -> None:
        """Apply the scheduled events to a scratch copy, so a bad one fails now, not mid-episode."""
        scratch = self._initial.fork()
        for event in [*self.task.events, *self.plan]:
            if isinstance(event, ScheduledEvent):
                try:
                    scratch.put(
                        event.collection, make_record(scratch, event.collection, event.record)
                    )
                except InvalidInput as error:
                    raise InvalidInput(
                        f"task {self.task.id}: event at step {event.at_step}: {error.message}"
                    ) from error

    def reset(self, *, seed: int | None = None) -> dict[str, Any]:
        """Start over from the task's initial universe; returns the first observation."""
        if seed is not None:
            self.seed = seed
        self.universe: Universe = self._initial.fork()
        self.records: list[StepRecord] = []
        self.injector = FaultInjector([*self.task.events, *self.plan], self.seed)
        self._eventful = bool(self.injector.events) or any(
            isinstance(f, StaleReads) for f in self.injector.calls
        )
        self._event_keys: set[tuple[str, str]] = set()
        self.finished = self.truncated = False
        self._grade: Grade | None = None
        return self.first_observation()

    @property
    def done(self) -> bool:
        """Whether the episode ended (finished by the agent or out of steps)."""
        return self.finished or self.truncated

    @property
    def step_count(self) -> int:
        """How many steps have been taken."""
        return len(self.records)

    def first_observation(self) -> dict[str, Any]:
        """Describe what the agent sees before its first step: the task and who it is."""
        me = self.universe.actor_person
        return {
            "task_id": self.task.id,
            "instruction": self.task.instruction,
            "actor": {"id": me.id, "name": me.name, "email": me.email, "role": me.role},
            "clock": self.universe.clock.iso(),
            "tools": [t.name for t in self.tools()],
        }

    def tools(self, at_step: int | None = None) -> list[Tool]:
        """List the tools as the agent sees them at a step (default: the next), after drift."""
        step = at_step if at_step is not None else self.step_count + 1
        return [self.injector.tool_at(step, t) for t in ALL_TOOLS.values()]

    def tool_specs(self) -> list[dict[str, Any]]:
        """List the tools in OpenAI chat-completions format."""
        return [t.openai() for t in self.tools()]

    def step(self, tool: str, arguments: Mapping[str, Any] | str | None = None) -> dict[str, Any]:
        """Call one tool; returns the observation (never raises for a bad call).

        Raises:
            Conflict: the episode is already over.

        """
        if self.finished or self.truncated:
            raise Conflict("the episode is over; reset it to start again")
        n = len(self.records) + 1
        events = self._begin_step(n) if self._eventful else []
        observation, injection = self._call(n, tool, arguments)
        clock = self.universe.clock
        clock.advance(self.task.step_seconds + injection.latency)
        observation["clock"] = clock.iso()
        if events:
            observation["notifications"] = [note for _, note in events if note]
        self.records.append(
            StepRecord(
                n,
                tool,
                dict(arguments) if isinstance(arguments, Mapping) else arguments,
                observation,
                injection.record(),
                observation["clock"],
                [key for key, _ in events],
            )
        )
        if tool == FINISH and observation["ok"]:
            self.finished = True
        elif n >= self.max_steps:
            self.truncated = True
        observation["done"] = self.finished or self.truncated
        return observation

    def _begin_step(self, n: int) -> list[tuple[str, str | None]]:
        self.injector.begin_step(n, self.universe)
        arrived = []
        for event in self.injector.events.get(n, ()):
            record = make_record(self.universe, event.collection, event.record)
            self.universe.put(event.collection, record)
            self._event_keys.add((event.collection, record.id))
            arrived.append((f"{event.collection}:{record.id}", event.notify))
        return arrived

    def _call(self, n: int, name: str, arguments: Any) -> tuple[dict[str, Any], Injection]:
        found = ALL_TOOLS.get(name)
        if found is None:
            return _error(
                "unknown_tool", f"no tool named {name!r}", {"tools": sorted(ALL_TOOLS)}
            ), Injection()
        tool = self.injector.tool_at(n, found) if self.injector.drifts else found
        injection = self.injector.intercept(n, tool) if self.injector.calls else Injection()
        if injection.blocked:
            details = (
                {"retry_after_steps": injection.retry_after_steps}
                if injection.retry_after_steps
                else None
            )
            obs = _error(injection.code, injection.message, details)
            obs["error"]["status"] = injection.status
            return obs, injection
        args = _parse_arguments(arguments)
        if isinstance(args, str):
            return _error("invalid_arguments", args, {"parameters": tool.parameters}), injection
        problems = tool.validate(args)
        if problems:
            return _error(
                "invalid_arguments", "; ".join(problems), {"parameters": tool.parameters}
            ), injection
        target = injection.stale_view or self.universe
        try:
            result = tool.handler(target, args)
        except AssayError as error:
            return _error(error.code, error.message, error.details), injection
        except Exception as error:  # a tool bug must not end the episode; the trace keeps it
            return _error("internal_error", f"{name} failed: {error!r}"), injection
        observation = {"ok": True, "result": result}
        if not tool.writes and tool.app != "system":
            observation["as_of"] = injection.stale_as_of or self.universe.clock.iso()
        return observation, injection

    def evidence(self) -> Evidence:
        """Bundle the initial and current universe for graders."""
        return Evidence(self._initial, self.universe, frozenset(self._event_keys))

    def grade(self) -> Grade:
        """Grade the current state (cached once the episode is over)."""
        if self._grade is not None:
            return self._grade
        result = grade(self.task, self.evidence())
        if self.done:
            self._grade = result
        return result

    def trajectory_hash(self) -> str:
        """Hash (SHA-256) every step record and the final state."""
        blob = orjson.dumps(
            {"steps": [r.to_dict() for r in self.records], "state": self.universe.snapshot_hash()},
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(blob).hexdigest()

    def result(self) -> EpisodeResult:
        """Summarise the episode: score, counts and hashes."""
        graded = self.grade()
        return EpisodeResult(
            task_id=self.task.id,
            seed=self.seed,
            faults=self.with_faults,
            score=graded.score,
            success=graded.success,
            steps=self.step_count,
            tool_errors=sum(1 for r in self.records if not r.ok),
            injected_faults=sum(1 for r in self.records if r.fault is not None),
            finished=self.finished,
            truncated=self.truncated,
            trajectory_hash=self.trajectory_hash(),
            state_hash=self.universe.snapshot_hash(),
            grade=graded,
        )


def _error(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"ok": False, "error": error}


def _parse_arguments(arguments: Any) -> dict[str, Any] | str:
    """Arguments as a dict, or the reason they are not usable."""
    if arguments is None:
        return {}
    if isinstance(arguments, str):
        try:
            arguments = orjson.loads(arguments or "{}")
        except orjson.JSONDecodeError as error:
            return f"arguments are not valid JSON: {error}"
    if not isinstance(arguments, Mapping):
        return "arguments must be a JSON object"
    return dict(arguments)


def replay(
    task: Task,
    actions: Iterable[tuple[str, Any]],
    *,
    faults: bool | Sequence[Any] = False,
    seed: int = 0,
) -> Episode:
    """Run recorded actions against a fresh episode (stops early if the episode ends)."""
    episode = Episode(task, faults=faults, seed=seed)
    for tool, arguments in actions:
        if episode.done:
            break
        episode.step(tool, arguments)
    return episode
