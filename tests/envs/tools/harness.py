"""A table-driven way to test tools: one call on a fresh episode, then checks on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assay.envs import Episode, diff
from tests.envs.conftest import error_code, make_task, ok

Check = Callable[[Any, Episode], object]


@dataclass
class Case:
    """One tool call and what must come of it: a result check, or an error code."""

    tool: str
    arguments: dict[str, Any]
    expect: str | None = None
    check: Check | None = None
    actor: str = "p-sam"
    label: str = ""
    seen: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        outcome = self.expect or "ok"
        return f"{self.tool}-{outcome}-{self.label}" if self.label else f"{self.tool}-{outcome}"


def run_case(case: Case) -> None:
    """Run the call; a failed call must leave every record and id counter untouched."""
    episode = Episode(make_task(case.actor))
    counters = dict(episode.universe.counters)
    observation = episode.step(case.tool, case.arguments)
    assert json.loads(json.dumps(observation)) == observation  # JSON-ready: no tuples, no objects
    if case.expect is None:
        result = ok(observation)
        if case.check is not None:
            assert case.check(result, episode), result
    else:
        assert error_code(observation) == case.expect, observation
        assert diff(episode.evidence().initial, episode.universe) == []
        assert episode.universe.counters == counters
