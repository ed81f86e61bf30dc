"""Preloaded lookups: the same answers as one query per row, from one query in all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, select

from assay.store import Session, make_engine, make_session_factory
from assay.store import quality_ops as store
from assay.store.base import utcnow
from assay.store.models.quality_ops import QualitySignal, WorkerSkillEstimate
from assay.store.preloads import preloaded_estimates, preloaded_signals
from tests.support.factories import make_organisation, make_project, make_worker


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


class Selects:
    """Counts the SELECT statements an engine sends."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection: object, _cursor: object, statement: str, *_rest: object) -> None:
        self.count += statement.lstrip().upper().startswith("SELECT")


def _signal(project_id: str, org_id: str, kind: str, subject: str) -> QualitySignal:
    return QualitySignal(
        id="",
        org_id=org_id,
        project_id=project_id,
        kind=kind,
        subject_type="worker",
        subject_id=subject,
        status="open",
        score=0.5,
        flagged=False,
        threshold=0.5,
        evidence={},
        created_at=utcnow(),
        updated_at=utcnow(),
    )


def test_signal_lookups_come_from_one_query_and_see_what_the_block_adds(
    engine: Engine,
) -> None:
    with make_session_factory(engine)() as session:
        org = make_organisation(session)
        project = make_project(session, org)
        for subject in ("w1", "w2"):
            store.save_signal(session, _signal(project.id, org.id, "spammer", subject))
        store.save_signal(session, _signal(project.id, org.id, "delivered_result_changed", "t1"))
        session.commit()
        selects = Selects(engine)
        with preloaded_signals(session, project.id, excluded_kinds=["delivered_result_changed"]):
            found = [store.get_signal(session, project.id, "spammer", s) for s in ("w1", "w2")]
            assert store.get_signal(session, project.id, "spammer", "w3") is None
            assert selects.count == 1
            added = store.save_signal(session, _signal(project.id, org.id, "spammer", "w3"))
            assert store.get_signal(session, project.id, "spammer", "w3") is added
            assert selects.count == 1
            # Left out of the table: looked up as usual.
            assert store.get_signal(session, project.id, "delivered_result_changed", "t1")
            assert selects.count == 2
        assert [s.subject_id for s in found if s is not None] == ["w1", "w2"]
        assert store.get_signal(session, project.id, "spammer", "w3") is added


def _estimates(session: Session, skill: str) -> dict[tuple[str, str], float]:
    rows = session.scalars(select(WorkerSkillEstimate).where(WorkerSkillEstimate.skill == skill))
    return {(e.worker_id, e.source): e.mean for e in rows}


def test_estimates_upserted_in_a_block_replace_and_add_as_one_by_one(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        org = make_organisation(session)
        workers = [make_worker(session, org).id for _ in range(3)]
        skill = "project:p1"

        def upsert(worker_id: str, source: str, mean: float) -> None:
            store.upsert_estimate(
                session,
                org_id=org.id,
                worker_id=worker_id,
                skill=skill,
                source=source,
                mean=mean,
                low=mean - 0.1,
                high=mean + 0.1,
                n=10,
            )

        upsert(workers[0], "gold", 0.5)
        session.commit()
        selects = Selects(engine)
        with preloaded_estimates(session, skill):
            for index, worker_id in enumerate(workers):
                upsert(worker_id, "gold", 0.6 + index / 10)
                upsert(worker_id, "combined", 0.7)
            upsert(workers[2], "gold", 0.9)  # twice in one block: one row, the last value
            session.flush()
        session.commit()
        assert selects.count == 1
        expected = {(w, "gold"): 0.6 + i / 10 for i, w in enumerate(workers)}
        expected |= {(w, "combined"): 0.7 for w in workers} | {(workers[2], "gold"): 0.9}
        assert _estimates(session, skill) == pytest.approx(expected)
