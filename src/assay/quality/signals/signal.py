"""The typed verdicts every detector returns: a score, a flag and evidence a human can read."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
Evidence = dict[str, JsonValue]
WorkerT = TypeVar("WorkerT", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Signal:
    """One detector's verdict on one subject (a worker, a response, a gold task).

    Attributes:
        kind: The detector's name, e.g. ``"too_fast"``; the platform stores it as the type.
        score: How suspicious, in [0, 1]; higher is worse. Each detector documents its scale.
        flagged: Whether ``score`` reached ``threshold`` (and any minimum-evidence rule held).
        threshold: The score at which this detector flags.
        evidence: JSON-ready facts behind the score, in the product's words
            (``{"median_active_seconds": 2.1, "expected_seconds": 45, "responses": 38}``).

    """

    kind: str
    score: float
    flagged: bool
    threshold: float
    evidence: Evidence = field(default_factory=dict)

    def as_dict(self) -> dict[str, JsonValue]:
        """Return the verdict as a JSON-ready dict (what the platform stores)."""
        return {
            "kind": self.kind,
            "score": self.score,
            "flagged": self.flagged,
            "threshold": self.threshold,
            "evidence": dict(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class PairSignal(Generic[WorkerT]):
    """A verdict on a pair of workers (collusion, shared devices, copied text).

    Attributes:
        kind: The detector's name, e.g. ``"identical_sequences"``.
        worker_a: The first worker's id (the pair is unordered; ``a`` sorts first).
        worker_b: The second worker's id.
        score: How suspicious, in [0, 1]; higher is worse.
        flagged: Whether ``score`` reached ``threshold``.
        threshold: The score at which this detector flags.
        evidence: JSON-ready facts behind the score.

    """

    kind: str
    worker_a: WorkerT
    worker_b: WorkerT
    score: float
    flagged: bool
    threshold: float
    evidence: Evidence = field(default_factory=dict)

    def as_dict(self) -> dict[str, JsonValue]:
        """Return the verdict as a JSON-ready dict; worker ids become strings."""
        return {
            "kind": self.kind,
            "worker_a": str(self.worker_a),
            "worker_b": str(self.worker_b),
            "score": self.score,
            "flagged": self.flagged,
            "threshold": self.threshold,
            "evidence": dict(self.evidence),
        }


def surprise_score(p_value: float, floor: float = 1e-6) -> float:
    """Map a p-value to a score in [0, 1]: ``-log10(p) / -log10(floor)``, clipped.

    With the default floor, p = 0.001 scores 0.5 and p <= 1e-6 scores 1, so a reader sees how
    far past the flagging line a case is without reading p-values.
    """
    p = min(max(float(p_value), floor), 1.0)
    return round(-math.log10(p) / -math.log10(floor), 4) + 0.0


def json_ready(value: Any) -> JsonValue:
    """Turn numpy scalars/arrays and floats into JSON-friendly values (4 significant digits).

    Non-finite floats become None, since JSON has no NaN.
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return float(f"{number:.4g}") if math.isfinite(number) else None
    if isinstance(value, np.ndarray):
        return [json_ready(item) for item in value.tolist()]
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): json_ready(item) for key, item in value.items()}
    if value is None or isinstance(value, str):
        return value
    return str(value)


def evidence(**facts: Any) -> Evidence:
    """Build an evidence dict from keyword facts, made JSON-ready."""
    return {key: json_ready(value) for key, value in facts.items()}


def make_signal(
    kind: str, score: float, flagged: bool, threshold: float, /, **facts: Any
) -> Signal:
    """Build a :class:`Signal` with a rounded score and JSON-ready evidence."""
    clipped = min(max(float(score), 0.0), 1.0)
    return Signal(kind, round(clipped, 4) + 0.0, bool(flagged), threshold, evidence(**facts))
