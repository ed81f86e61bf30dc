"""SQLite's writers queue on a lock file that every server process shares; readers do not."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from assay.store import leading_reads, make_engine, make_session_factory
from assay.store.models import Organisation
from assay.store.organisations import insert_organisation
from tests.support.databases import DatabaseTemplate


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    template: DatabaseTemplate = request.getfixturevalue("_sqlite_template")
    return template.fresh(tmp_path)


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def _held_elsewhere(sqlite_url: str) -> bool:
    """Whether another process (another open file, to flock) would have to wait to write."""
    lock_path = f"{make_url(sqlite_url).database}.writer"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock this probe took
    return False


def test_a_write_transaction_holds_the_shared_lock_until_it_commits(
    engine: Engine, sqlite_url: str
) -> None:
    with make_session_factory(engine)() as session:
        insert_organisation(session, "acme")
        assert _held_elsewhere(sqlite_url)
        session.commit()
        assert not _held_elsewhere(sqlite_url)


def test_a_rolled_back_write_lets_the_lock_go(engine: Engine, sqlite_url: str) -> None:
    with make_session_factory(engine)() as session:
        insert_organisation(session, "acme")
        session.rollback()
        assert not _held_elsewhere(sqlite_url)
        assert session.scalar(select(Organisation.id)) is None


def test_a_reader_begun_as_one_takes_no_lock_and_the_next_transaction_writes(
    engine: Engine, sqlite_url: str
) -> None:
    with make_session_factory(engine)() as session:
        with leading_reads(session):
            assert session.scalar(select(Organisation.id)) is None
            assert not _held_elsewhere(sqlite_url)
        assert not session.in_transaction()
        insert_organisation(session, "acme")
        assert _held_elsewhere(sqlite_url)
        session.commit()
    with make_session_factory(engine)() as session:
        assert session.scalar(select(Organisation.name)) == "acme"
