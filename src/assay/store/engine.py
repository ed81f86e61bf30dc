"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    """Whether the URL names a SQLite database."""
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


WRITER_WAIT_SECONDS = 10.0


def _configure_sqlite(engine: Engine) -> None:
    # One writer at a time, queued in-process: SQLite serialises writers anyway, and waiting on
    # a Python lock is fair and immediate, where busy_timeout's sleep-and-retry makes tail
    # latency balloon under concurrent requests (several seconds at 8 clients).
    # A plain lock, because a transaction may begin in one thread and end in another (FastAPI
    # runs dependencies and handlers on different pool threads). The wait is bounded: past it,
    # SQLite's own busy_timeout arbitrates as if the lock were not there, so a transaction
    # that is never closed (or a thread holding two) cannot hang everyone.
    writer = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: two writers never both read then fail to
        # upgrade (SQLITE_BUSY mid-transaction); other processes queue on busy_timeout.
        if writer.acquire(timeout=WRITER_WAIT_SECONDS):
            connection.info["assay_writer"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: Any) -> None:
        if connection.info.pop("assay_writer", False):
            writer.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def _json_text(value: Any) -> str:
    # orjson is several times faster than the standard library on the payloads we store.
    return orjson.dumps(value).decode()


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for the URL, tuned per backend."""
    url = normalise_url(url)
    json_options: dict[str, Any] = {
        "json_serializer": _json_text,
        "json_deserializer": orjson.loads,
    }
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **json_options
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True, **json_options
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def backend_name(session: Session) -> str:
    """``sqlite`` or ``postgresql``, for the few statements that differ."""
    return session.get_bind().dialect.name
