"""Quality-ops fixtures: a database session, and the workbench's web fixtures with our routers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.store import Session, make_engine, make_session_factory
from tests.support.databases import SqliteTemplate
from tests.web.conftest import (  # noqa: F401  (fixtures reused by name)
    WebEnv,
    live_server,
    make_env,
    new_page,
    web_client,
)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on an empty, migrated database of each backend."""
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def with_quality_routes(env: WebEnv) -> WebEnv:
    """Mount the quality pages and API routers unless the app already serves them."""
    from fastapi.routing import APIRoute

    from assay.api.routes import experiments, quality
    from assay.web.routes import quality_ops

    served = {r.path for r in env.app.routes if isinstance(r, APIRoute)}
    for router in (quality_ops.router, quality.router, experiments.router):
        paths = {r.path for r in router.routes if isinstance(r, APIRoute)}
        if not paths <= served:
            env.app.include_router(router)
    return env


@pytest.fixture
def web_env(_sqlite_template: SqliteTemplate, tmp_path: Path) -> WebEnv:
    """A fresh database and app (workbench and quality pages) for one test."""
    return with_quality_routes(make_env(_sqlite_template, tmp_path))


@pytest.fixture(scope="module")
def live_env(_sqlite_template: SqliteTemplate, tmp_path_factory: pytest.TempPathFactory) -> WebEnv:
    """One database and app shared by a module's browser tests."""
    return with_quality_routes(make_env(_sqlite_template, tmp_path_factory.mktemp("live")))
