"""Every router of the REST API, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from assay.api.routes import (
    audit,
    chats,
    comparisons,
    exports,
    health,
    keys,
    me,
    media,
    models,
    presets,
    projects,
    reviews,
    rlhf_exports,
    rubric_evals,
    tasks,
    webhooks,
    work,
    workforce,
)

ROUTERS: list[APIRouter] = [
    health.router,
    projects.router,
    tasks.router,
    work.router,
    reviews.router,
    me.router,
    workforce.router,
    media.router,
    exports.router,
    webhooks.router,
    keys.router,
    audit.router,
]
