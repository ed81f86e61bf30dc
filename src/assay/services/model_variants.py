"""Model variants: which configuration of an endpoint wrote an answer, recorded append-only.

An endpoint's settings can be edited after it answered; a leaderboard must rate what actually
answered and must never lose a variant it has seen. Each generation and chat candidate is
stamped with the variant that wrote it, and variants are only ever added (the database
refuses updates and deletes), so a board lists every variant ever submitted to it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from assay.services.model_endpoints import EndpointSnapshot
from assay.store import Session
from assay.store import model_variants as store
from assay.store.base import new_id, utcnow


def variant_settings(params: dict[str, Any], system_prompt: str) -> dict[str, Any]:
    """Return the project-side settings that shape a model's output, as a variant keeps them."""
    return {"project_params": dict(params), "system_prompt": system_prompt}


def record_variant(
    session: Session,
    *,
    project_id: str,
    endpoint: EndpointSnapshot,
    project_settings: dict[str, Any],
) -> str:
    """Return the id of the variant ``endpoint`` answers as in this project, recording it once.

    The variant is keyed by what shapes the output: kind, base URL, model, the endpoint's
    sampling parameters and the project's (``project_settings``, see
    :func:`variant_settings`). Renaming an endpoint or changing its timeout is not a new
    variant.
    """
    config = endpoint.config
    settings = {"params": dict(config.params), **project_settings}
    shape = {
        "kind": config.kind,
        "base_url": config.base_url,
        "model": config.model,
        "settings": settings,
    }
    config_hash = hashlib.sha256(orjson.dumps(shape, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return store.ensure_variant(
        session,
        {
            "id": new_id("mvr"),
            "org_id": endpoint.org_id,
            "project_id": project_id,
            "endpoint_id": endpoint.id,
            "config_hash": config_hash,
            "name": config.name,
            "kind": config.kind,
            "model": config.model,
            "base_url": config.base_url,
            "settings": settings,
            "created_at": utcnow(),
        },
    )
