"""A detector's verdict before it is stored, and how library signals become one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assay.quality.signals import PairSignal
from assay.quality.signals.signal import JsonValue


@dataclass(frozen=True)
class Draft:
    """A detector's verdict before it is stored."""

    kind: str
    subject_type: str
    subject_id: str
    score: float
    flagged: bool
    threshold: float
    evidence: dict[str, JsonValue]
    worker_id: str | None = None
    other_worker_id: str | None = None


def pair_draft(signal: PairSignal[Any]) -> Draft:
    """Return a pair verdict; the subject is the two worker ids, sorted, joined by ``+``."""
    a, b = sorted((str(signal.worker_a), str(signal.worker_b)))
    return Draft(
        signal.kind,
        "pair",
        f"{a}+{b}",
        signal.score,
        signal.flagged,
        signal.threshold,
        dict(signal.evidence),
        worker_id=a,
        other_worker_id=b,
    )
