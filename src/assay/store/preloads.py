"""Lookups answered from one query instead of one per row, for the recompute's bulk writes.

A recompute stores a verdict per worker and detector, an estimate per worker and source, a
re-score per result: each store call looks its row up first. Within a ``preloaded_signals``
or ``preloaded_estimates`` block those lookups read a table loaded by one query at the first
lookup (not on entering the block, so whatever the caller computes before its first
statement still runs with no transaction open). Rows added in the block are remembered, so
a lookup after an insert finds it. The tables live in ``session.info`` and go with the block.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.store.models.quality_ops import QualitySignal, WorkerSkillEstimate

_SIGNALS = "assay.preloaded_signals"
_ESTIMATES = "assay.preloaded_estimates"

SignalKey = tuple[str, str]  # (kind, subject id)
EstimateKey = tuple[str, str]  # (worker id, source)


@dataclass
class SignalTable:
    """A project's signals of some kinds (or of all kinds but some), by (kind, subject)."""

    project_id: str
    kinds: frozenset[str] | None
    excluded_kinds: frozenset[str]
    subject_ids: frozenset[str] | None
    rows: dict[SignalKey, QualitySignal] | None = None

    def covers(self, project_id: str, kind: str, subject_id: str) -> bool:
        """Whether a lookup of this signal is answered by the table (present or absent)."""
        return (
            project_id == self.project_id
            and (self.kinds is None or kind in self.kinds)
            and kind not in self.excluded_kinds
            and (self.subject_ids is None or subject_id in self.subject_ids)
        )

    def loaded(self, session: Session) -> dict[SignalKey, QualitySignal]:
        """The rows, read on first use."""
        if self.rows is None:
            query = select(QualitySignal).where(QualitySignal.project_id == self.project_id)
            if self.kinds is not None:
                query = query.where(QualitySignal.kind.in_(sorted(self.kinds)))
            if self.excluded_kinds:
                query = query.where(QualitySignal.kind.not_in(sorted(self.excluded_kinds)))
            if self.subject_ids is not None:
                query = query.where(QualitySignal.subject_id.in_(sorted(self.subject_ids)))
            self.rows = {(s.kind, s.subject_id): s for s in session.scalars(query)}
        return self.rows


@dataclass
class EstimateTable:
    """Every worker's estimates on one skill key, by (worker, source)."""

    skill: str
    rows: dict[EstimateKey, WorkerSkillEstimate] | None = field(default=None)

    def loaded(self, session: Session) -> dict[EstimateKey, WorkerSkillEstimate]:
        """The rows, read on first use."""
        if self.rows is None:
            query = select(WorkerSkillEstimate).where(WorkerSkillEstimate.skill == self.skill)
            self.rows = {(e.worker_id, e.source): e for e in session.scalars(query)}
        return self.rows


@contextmanager
def preloaded_signals(
    session: Session,
    project_id: str,
    *,
    kinds: Collection[str] | None = None,
    excluded_kinds: Collection[str] = (),
    subject_ids: Collection[str] | None = None,
) -> Iterator[None]:
    """Within the block, look the project's signals (of these kinds, subjects) up in one query."""
    session.info[_SIGNALS] = SignalTable(
        project_id,
        None if kinds is None else frozenset(kinds),
        frozenset(excluded_kinds),
        None if subject_ids is None else frozenset(subject_ids),
    )
    try:
        yield
    finally:
        session.info.pop(_SIGNALS, None)


@contextmanager
def preloaded_estimates(session: Session, skill: str) -> Iterator[None]:
    """Within the block, look estimates on ``skill`` up in one query."""
    session.info[_ESTIMATES] = EstimateTable(skill)
    try:
        yield
    finally:
        session.info.pop(_ESTIMATES, None)


def signal_table(
    session: Session, project_id: str, kind: str, subject_id: str
) -> SignalTable | None:
    """The preloaded table answering this signal's lookup, if a block provides one."""
    table: SignalTable | None = session.info.get(_SIGNALS)
    if table is not None and table.covers(project_id, kind, subject_id):
        return table
    return None


def estimate_table(session: Session, skill: str) -> EstimateTable | None:
    """The preloaded table answering lookups on ``skill``, if a block provides one."""
    table: EstimateTable | None = session.info.get(_ESTIMATES)
    return table if table is not None and table.skill == skill else None
