"""Mounting the web workbench on the FastAPI app: its routes and its static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assay.web.render import WEB_DIR
from assay.web.routes import create_web_router


def mount_web(app: FastAPI) -> None:
    """Serve the workbench pages and ``/static`` (CSS and scripts; nothing from a CDN).

    Calling it twice on one app is harmless: the second call does nothing.
    """
    if getattr(app.state, "web_mounted", False):
        return
    app.state.web_mounted = True
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(create_web_router())
