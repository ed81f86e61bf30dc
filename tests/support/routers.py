"""The app with extra routers mounted, for testing routers before they join ``ROUTERS``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from assay.api.app import create_app
from assay.config import Settings


def app_with(settings: Settings, *routers: APIRouter) -> FastAPI:
    """``create_app(settings)`` plus each router whose routes it does not serve yet."""
    app = create_app(settings)
    served = {(r.path, frozenset(r.methods)) for r in app.routes if isinstance(r, APIRoute)}
    for router in routers:
        routes = [r for r in router.routes if isinstance(r, APIRoute)]
        if not all((r.path, frozenset(r.methods)) in served for r in routes):
            app.include_router(router)
    return app
