"""Snapshot sessions: one consistent view, no write lock held, no write let through."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from assay.services.recompute_steps import run_reading_first
from assay.store import Session, make_engine, make_session_factory
from assay.store.engine import SnapshotWriteError, snapshot_session
from assay.store.models import Organisation
from assay.store.organisations import insert_organisation


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Organisation)) or 0)


def test_a_snapshot_sees_one_state_while_others_commit_and_does_not_hold_them_up(
    engine: Engine,
) -> None:
    factory = make_session_factory(engine)
    with factory() as session:
        insert_organisation(session, "first")
        session.commit()
        with snapshot_session(session) as reader:
            assert _count(reader) == 1
            with factory() as writer:
                start = time.perf_counter()
                insert_organisation(writer, "second")
                writer.commit()
                # A snapshot holding SQLite's write lock would keep this waiting 10 s.
                assert time.perf_counter() - start < 5.0
            assert _count(reader) == 1  # still the state it first read
        with snapshot_session(session) as reader:
            assert _count(reader) == 2


def test_a_snapshot_refuses_to_write(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with (
        factory() as session,
        snapshot_session(session) as reader,
        pytest.raises(SnapshotWriteError),
    ):
        insert_organisation(reader, "never")
    with factory() as session:
        assert _count(session) == 0


def test_a_step_that_only_reads_stays_on_the_snapshot_and_one_that_writes_commits(
    engine: Engine,
) -> None:
    factory = make_session_factory(engine)
    seen: list[bool] = []
    with factory() as session:

        def count(step_session: Session) -> int:
            seen.append(step_session is session)
            return _count(step_session)

        def add(step_session: Session) -> str:
            seen.append(step_session is session)
            return insert_organisation(step_session, "added").id

        assert run_reading_first(session, count) == 0
        assert seen == [False]
        seen.clear()
        added = run_reading_first(session, add)
        assert seen == [False, True]  # tried on the snapshot, then run as a writer
    with factory() as session:
        assert session.get_one(Organisation, added).name == "added"
