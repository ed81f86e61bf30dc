"""The FastAPI application factory: ``create_app(settings)`` wires routes, errors and storage."""

from __future__ import annotations

import gc
import random
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from assay import __version__
from assay.api.body_limit import BodyLimitMiddleware
from assay.api.errors import document_error_shape, install_error_handlers
from assay.api.routes import ROUTERS
from assay.config import Settings
from assay.services.generation import install_generation_jobs
from assay.services.jobs import JobRunner
from assay.services.quality_jobs import install_quality_jobs
from assay.services.webhooks import start_dispatcher
from assay.store import make_engine, make_session_factory
from assay.web import mount_web

API_DESCRIPTION = """
Assay's REST API for human judgment: create projects from declarative templates, submit tasks in
bulk (idempotent by `unique_id`), let workers lease and answer them, and receive results by
webhook or export.

Every `/v1` route needs `Authorization: Bearer <key>`; a key's role limits what it can touch and
every query is scoped to the key's organisation. Errors are JSON
`{"error": {"code", "message", "details"}}` with a 4xx status.
"""


GIL_SWITCH_SECONDS = 0.001


def create_app_from_environment() -> FastAPI:
    """The app as ``assay serve --workers N`` runs it in each worker process (settings from env)."""
    return create_app(Settings(), background=True)


def create_app(settings: Settings, *, background: bool = False) -> FastAPI:
    """Build the app; the database must already be migrated (``assay serve`` does it).

    With ``background`` the app also runs the webhook dispatcher while it serves (``assay serve``
    does; tests drive the dispatcher themselves).
    """
    engine = make_engine(settings.resolved_database_url())
    session_factory = make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        dispatcher = start_dispatcher(settings, session_factory) if background else None
        jobs = None
        if background:
            # A request thread back from the database waits for the GIL while another runs
            # Python; by default that wait lasts up to 5 ms, several times a request (and on
            # SQLite with the write lock held). 1 ms: 8 clients +10-35% responses/s, lower p99.
            sys.setswitchinterval(GIL_SWITCH_SECONDS)
            app.state.model_pool = install_generation_jobs(settings)
            install_quality_jobs()
            jobs = JobRunner(session_factory).start()
            # What start-up made lives as long as the server: keep the garbage collector from
            # walking it again on every collection (a third of a bulk import's time otherwise).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if dispatcher is not None:
                dispatcher.stop()
            if jobs is not None:
                jobs.stop()
            pool = getattr(app.state, "model_pool", None)
            if pool is not None:
                pool.close()
            engine.dispose()

    app = FastAPI(
        title="Assay",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    # One generator for the process (seeded from the OS without ASSAY_RANDOM_SEED): seeding a
    # fresh one per request reads the OS's entropy every time.
    app.state.rng = random.Random(settings.random_seed)
    install_error_handlers(app)
    document_error_shape(app)
    for router in ROUTERS:
        app.include_router(router)
    mount_web(app)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        upload_paths=("/v1/media",),
        max_upload_bytes=settings.max_blob_bytes,
    )
    return app
