"""Every router of the REST API, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from assay.api.routes import audit, health, keys, me, projects, reviews, tasks, work, workforce

ROUTERS: list[APIRouter] = [
    health.router,
    projects.router,
    tasks.router,
    work.router,
    reviews.router,
    me.router,
    workforce.router,
    keys.router,
    audit.router,
]
