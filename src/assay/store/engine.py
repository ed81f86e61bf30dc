"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

try:
    import fcntl
except ImportError:  # Windows: one server process, so the in-process lock is enough
    fcntl = None  # type: ignore[assignment]

SNAPSHOT = "assay_snapshot"
"""Execution option marking a connection that only reads, from one consistent snapshot."""


class SnapshotWriteError(RuntimeError):
    """A statement that changes data was sent through a read-only snapshot session."""


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    """Whether the URL names a SQLite database."""
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


WRITER_WAIT_SECONDS = 10.0


class _WriterLock:
    """One SQLite writer at a time across this process's threads and, on POSIX, its siblings.

    In-process, a plain lock, because a transaction may begin in one thread and end in
    another (FastAPI runs dependencies and handlers on different pool threads). Across the
    processes of ``assay serve --workers N``, an ``flock`` on a file beside the database: the
    kernel wakes the next waiter the moment the holder lets go, where SQLite's busy_timeout
    sleeps and retries (p99 past a second with two processes and eight clients). Only the
    thread holding the in-process lock waits on the file, so one descriptor per process does.
    The in-process wait is bounded: past it, SQLite's own busy_timeout arbitrates as if the
    lock were not there, so a transaction that is never closed cannot hang everyone. The wait
    on the file is not; a process that dies lets go of it (the kernel drops its locks).
    """

    def __init__(self, lock_path: Path | None) -> None:
        self._threads = threading.Lock()
        self._lock_path = lock_path
        self._fd: int | None = None
        self._fd_pid = 0

    def acquire(self) -> bool:
        if not self._threads.acquire(timeout=WRITER_WAIT_SECONDS):
            return False
        try:
            if self._lock_path is not None and fcntl is not None:
                fd = self._fd
                if fd is None or self._fd_pid != os.getpid():
                    # A forked child shares its parent's descriptor, and with it the lock.
                    fd = self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
                    self._fd_pid = os.getpid()
                fcntl.flock(fd, fcntl.LOCK_EX)  # blocks with the GIL released
        except BaseException:
            self._threads.release()
            raise
        return True

    def release(self) -> None:
        try:
            if self._fd is not None and fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def _configure_sqlite(engine: Engine, lock_path: Path | None) -> None:
    # One writer at a time, queued: SQLite serialises writers anyway, and waiting on a lock is
    # fair and immediate, where busy_timeout's sleep-and-retry makes tail latency balloon
    # under concurrent requests (several seconds at 8 clients).
    writer = _WriterLock(lock_path)

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
        if connection.get_execution_options().get(SNAPSHOT):
            # A plain (deferred) BEGIN: in WAL mode a reader sees the database as of its first
            # read, next to the writer and without waiting for it.
            connection.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE takes the write lock up front: two writers never both read then fail to
        # upgrade (SQLITE_BUSY mid-transaction); writers of other processes queue on the lock
        # file, and anything else (a CLI, a backup) on busy_timeout.
        if writer.acquire():
            connection.info["assay_writer"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: Any) -> None:
        if connection.info.pop("assay_writer", False):
            writer.release()

    # SQLAlchemy announces a COMMIT or ROLLBACK before sending it. Letting the next writer in
    # then would send its BEGIN IMMEDIATE into SQLite's busy wait (sleeps of 1, 2, 5, 10 ms
    # and on) until this transaction ends, WAL checkpoint included: a millisecond or more on
    # most transactions under load. So the transaction is ended here and the lock passed on
    # after; SQLAlchemy's own COMMIT or ROLLBACK then finds none open, which the driver takes
    # as nothing to do. Should ending it fail, SQLAlchemy's attempt reports the error.
    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        if connection.info.get("assay_writer"):
            with suppress(Exception):
                connection.connection.commit()
            _release(connection)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        if connection.info.get("assay_writer"):
            with suppress(Exception):
                connection.connection.rollback()
            _release(connection)


def _refuse_writes_in_snapshots(engine: Engine) -> None:
    # A snapshot reader holds no write lock (SQLite) or is read-only (PostgreSQL); a write
    # slipping through would race the real writer on SQLite, so it is refused before it is sent.
    @event.listens_for(engine, "before_cursor_execute")
    def _check(
        connection: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if not connection.get_execution_options().get(SNAPSHOT):
            return
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            raise SnapshotWriteError(f"A snapshot session cannot write: {statement[:80]}")


WRITE_ERRORS: tuple[type[Exception], ...] = (StatementError, orjson.JSONEncodeError)
"""What a failed write raises; see :func:`unstorable_json_cause` for the ones caused by input."""


def unstorable_json_cause(exc: BaseException) -> Exception | None:
    """The JSON encoding error behind a failed write, if that is what failed.

    A value the stored JSON cannot hold (an integer beyond 64 bits) fails as the row is
    written: SQLAlchemy wraps the encoder's error on SQLite, psycopg passes it on as it is.
    """
    if isinstance(exc, orjson.JSONEncodeError):
        return exc
    if isinstance(exc, StatementError) and isinstance(exc.orig, orjson.JSONEncodeError):
        return exc.orig
    return None


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
        pool: dict[str, Any] = {}
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # As many pooled connections as PostgreSQL gets: past the pool's size, each
            # request would open a connection, set it up and close it again.
            pool = {"pool_size": pool_size, "max_overflow": pool_size * 2}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **pool,
            **json_options,
        )
        lock_path = Path(f"{database}.writer") if database and database != ":memory:" else None
        _configure_sqlite(engine, lock_path)
        _refuse_writes_in_snapshots(engine)
        return engine
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True, **json_options
    )
    _refuse_writes_in_snapshots(engine)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def backend_name(session: Session) -> str:
    """``sqlite`` or ``postgresql``, for the few statements that differ."""
    return session.get_bind().dialect.name


def upsert_into(dialect: str, table: Table) -> PostgresqlInsert | SqliteInsert:
    """An INSERT into ``table`` that takes ``ON CONFLICT`` clauses, for the named backend."""
    return postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)


def _snapshot_options(engine: Engine) -> dict[str, Any]:
    if engine.dialect.name == "postgresql":
        # One snapshot for every statement of the transaction, and no row locks taken.
        return {SNAPSHOT: True, "isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return {SNAPSHOT: True}


@contextmanager
def leading_reads(session: Session) -> Iterator[None]:
    """Reads a request makes before its first write (the caller's key, a claim's context).

    On SQLite they run in a plain BEGIN that takes no write lock, so they neither queue behind
    writers nor hold the lock themselves, and that transaction ends when the block does: the
    request's own transaction starts after, as a writer, and holds the lock only for its
    writes. What the block loaded stays loaded (it ends with a commit, which expires nothing
    here) and may be a few milliseconds old by then, as under READ COMMITTED. On PostgreSQL
    they open the request's own transaction, which goes on after the block: each later
    statement still sees the latest commits, and the request checks out (and pings) one
    pooled connection, not two. Inside a transaction already open, they simply join it.
    """
    bind = session.get_bind()
    joined = session.in_transaction() or isinstance(bind, Connection)
    if joined or bind.dialect.name != "sqlite":
        yield
        return
    session.connection(execution_options={SNAPSHOT: True})
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    session.commit()


@contextmanager
def snapshot_session(session: Session) -> Iterator[Session]:
    """A read-only session on ``session``'s database that never holds or waits for a write lock.

    Every read in it sees one consistent state of the database (SQLite: a WAL read
    transaction; PostgreSQL: a read-only REPEATABLE READ transaction), while other sessions
    keep writing. Objects read through it stay usable after it closes (as detached copies);
    a write through it raises :class:`SnapshotWriteError`. A session bound to a single
    connection (a test's outer transaction) is its own snapshot.
    """
    bind = session.get_bind()
    if isinstance(bind, Connection):
        yield session
        return
    reader = Session(bind=bind.execution_options(**_snapshot_options(bind)), autoflush=False)
    try:
        yield reader
    finally:
        reader.close()  # ends the read transaction; unlike a rollback, keeps what was loaded
