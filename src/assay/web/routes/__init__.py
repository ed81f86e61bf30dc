"""Every page and page-script endpoint of the web workbench."""

from __future__ import annotations

from fastapi import APIRouter

from assay.web.routes import auth, chat, leaderboard, ops, quality_ops, review, roster, work, worker


def create_web_router() -> APIRouter:
    """One router holding every web route (HTML pages and their JSON endpoints)."""
    router = APIRouter(include_in_schema=False)
    for module in (auth, work, worker, review, ops, roster, quality_ops, chat, leaderboard):
        router.include_router(module.router)
    return router
