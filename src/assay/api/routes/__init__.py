"""Every router of the REST API, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from assay.api.routes import (
    audit,
    chats,
    comparisons,
    experiments,
    exports,
    health,
    keys,
    leaderboards,
    me,
    media,
    models,
    presets,
    projects,
    quality,
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
    models.router,
    comparisons.router,
    chats.router,
    rubric_evals.router,
    leaderboards.router,
    presets.router,
    rlhf_exports.router,
    quality.router,
    experiments.router,
    keys.router,
    audit.router,
]
