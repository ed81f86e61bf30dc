"""Model endpoints of the organisation: register, list, change, archive and check them.

API keys are accepted on create and update and never returned: answers say only whether one
is set (``has_api_key``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from assay.api.deps import ActorDep, SessionDep
from assay.api.model_deps import ModelPoolDep, SecretKeyDep
from assay.api.schemas.rlhf import EndpointCheckPublic, EndpointPublic
from assay.domain.rlhf import EndpointCreate, EndpointUpdate
from assay.services import model_endpoints as service
from assay.services.model_pool import check_endpoint
from assay.store.models.rlhf import ModelEndpoint

router = APIRouter(prefix="/v1/models", tags=["models"])


def _public(endpoint: ModelEndpoint) -> EndpointPublic:
    return EndpointPublic(
        id=endpoint.id,
        name=endpoint.name,
        kind=endpoint.kind,
        base_url=endpoint.base_url,
        model=endpoint.model,
        params=endpoint.params,
        timeout_seconds=endpoint.timeout_seconds,
        max_retries=endpoint.max_retries,
        rate_limit_per_minute=endpoint.rate_limit_per_minute,
        status=endpoint.status,
        has_api_key=endpoint.api_key_encrypted is not None,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


@router.post("", response_model=EndpointPublic, status_code=status.HTTP_201_CREATED)
def create_endpoint(
    spec: EndpointCreate, actor: ActorDep, session: SessionDep, secret_key: SecretKeyDep
) -> EndpointPublic:
    """Register an OpenAI-compatible endpoint (or a built-in demo model, `kind: demo`)."""
    return _public(service.create_endpoint(session, actor, spec, secret_key))


@router.get("", response_model=list[EndpointPublic])
def list_endpoints(
    actor: ActorDep,
    session: SessionDep,
    include_archived: Annotated[bool, Query()] = False,
) -> list[EndpointPublic]:
    """List the organisation's model endpoints, oldest first."""
    endpoints = service.list_endpoints(session, actor, include_archived=include_archived)
    return [_public(endpoint) for endpoint in endpoints]


@router.get("/{endpoint_id}", response_model=EndpointPublic)
def get_endpoint(endpoint_id: str, actor: ActorDep, session: SessionDep) -> EndpointPublic:
    """Return one model endpoint."""
    return _public(service.get_endpoint(session, actor, endpoint_id))


@router.patch("/{endpoint_id}", response_model=EndpointPublic)
def update_endpoint(
    endpoint_id: str,
    change: EndpointUpdate,
    actor: ActorDep,
    session: SessionDep,
    secret_key: SecretKeyDep,
) -> EndpointPublic:
    """Change settings, replace (`api_key`) or remove (`clear_api_key`) the key, or archive."""
    return _public(service.update_endpoint(session, actor, endpoint_id, change, secret_key))


@router.post("/{endpoint_id}/check", response_model=EndpointCheckPublic)
def check(
    endpoint_id: str, actor: ActorDep, session: SessionDep, pool: ModelPoolDep
) -> EndpointCheckPublic:
    """Send the endpoint one short chat request and report whether it answered."""
    outcome = check_endpoint(session, actor, pool, endpoint_id)
    return EndpointCheckPublic(
        ok=outcome.ok, latency_ms=outcome.latency_ms, reply=outcome.reply, error=outcome.error
    )
