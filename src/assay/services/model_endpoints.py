"""Model endpoints of an organisation: register, change, archive, check; keys encrypted at rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pydantic

from assay.domain.enums import Role
from assay.domain.rlhf import EndpointCreate, EndpointUpdate
from assay.errors import Conflict, InvalidInput, NotFound
from assay.llm import EndpointConfig, encrypt_secret
from assay.services.actor import Actor
from assay.store import Session
from assay.store import model_endpoints as store
from assay.store.audit import insert_audit_event
from assay.store.base import new_id
from assay.store.models.rlhf import ModelEndpoint

_SETTINGS = (
    "name",
    "kind",
    "base_url",
    "model",
    "params",
    "timeout_seconds",
    "max_retries",
    "rate_limit_per_minute",
    "status",
)


@dataclass(frozen=True)
class EndpointSnapshot:
    """What a model call needs from an endpoint row, usable after its transaction ended."""

    id: str
    org_id: str
    name: str
    config: EndpointConfig
    api_key_encrypted: str | None
    version: str


def snapshot(endpoint: ModelEndpoint) -> EndpointSnapshot:
    """Copy an endpoint row into a plain value (model calls run outside transactions)."""
    return EndpointSnapshot(
        id=endpoint.id,
        org_id=endpoint.org_id,
        name=endpoint.name,
        config=endpoint_config(endpoint),
        api_key_encrypted=endpoint.api_key_encrypted,
        version=endpoint.updated_at.isoformat(),
    )


def endpoint_config(endpoint: ModelEndpoint) -> EndpointConfig:
    """Return the endpoint's settings as the model adapters take them."""
    return _config(
        name=endpoint.name,
        kind=endpoint.kind,
        base_url=endpoint.base_url,
        model=endpoint.model,
        params=endpoint.params,
        timeout=endpoint.timeout_seconds,
        max_retries=endpoint.max_retries,
        rate_limit_per_minute=endpoint.rate_limit_per_minute,
    )


def _config(**values: Any) -> EndpointConfig:
    try:
        return EndpointConfig(**values)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "endpoint"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{where}: {message}") from None


def _audit_view(endpoint: ModelEndpoint) -> dict[str, Any]:
    """Describe an endpoint for the audit log: settings and whether a key is set, never the key."""
    view = {name: getattr(endpoint, name) for name in _SETTINGS}
    view["has_api_key"] = endpoint.api_key_encrypted is not None
    return view


def create_endpoint(
    session: Session, actor: Actor, spec: EndpointCreate, secret_key: str
) -> ModelEndpoint:
    """Register a model endpoint; its API key is encrypted with ``secret_key``. Commits."""
    actor.require(Role.REQUESTER)
    config = _config(
        name=spec.name,
        kind=spec.kind,
        base_url=spec.base_url,
        model=spec.model,
        params=spec.params,
        timeout=spec.timeout_seconds,
        max_retries=spec.max_retries,
        rate_limit_per_minute=spec.rate_limit_per_minute,
    )
    key = spec.api_key.get_secret_value() if spec.api_key else None
    endpoint = ModelEndpoint(
        id=new_id("mep"),
        org_id=actor.org_id,
        name=config.name,
        kind=config.kind,
        base_url=config.base_url,
        model=config.model,
        params=config.params,
        timeout_seconds=config.timeout,
        max_retries=config.max_retries,
        rate_limit_per_minute=config.rate_limit_per_minute,
        api_key_encrypted=encrypt_secret(key, secret_key) if key else None,
    )
    store.insert_endpoint(session, endpoint)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="model_endpoint.create",
        object_type="model_endpoint",
        object_id=endpoint.id,
        after=_audit_view(endpoint),
    )
    session.commit()
    return endpoint


def load_endpoint(session: Session, actor: Actor, endpoint_id: str) -> ModelEndpoint:
    """Return an endpoint of the actor's organisation, or raise NotFound."""
    endpoint = store.get_endpoint(session, actor.org_id, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No model endpoint {endpoint_id!r} in this organisation.")
    return endpoint


def get_endpoint(session: Session, actor: Actor, endpoint_id: str) -> ModelEndpoint:
    """Return an endpoint, for requesters."""
    actor.require(Role.REQUESTER)
    return load_endpoint(session, actor, endpoint_id)


def list_endpoints(
    session: Session, actor: Actor, *, include_archived: bool = False
) -> list[ModelEndpoint]:
    """List the organisation's endpoints, for requesters."""
    actor.require(Role.REQUESTER)
    return store.list_endpoints(session, actor.org_id, include_archived=include_archived)


def update_endpoint(
    session: Session, actor: Actor, endpoint_id: str, change: EndpointUpdate, secret_key: str
) -> ModelEndpoint:
    """Change an endpoint's settings, replace or clear its key, or archive it. Commits."""
    actor.require(Role.REQUESTER)
    endpoint = load_endpoint(session, actor, endpoint_id)
    before = _audit_view(endpoint)
    values = change.model_dump(exclude_unset=True, exclude={"api_key", "clear_api_key"})
    new_name = values.get("name")
    if new_name and store.rename_clash(session, actor.org_id, new_name, endpoint.id):
        raise Conflict(f"A model endpoint named {values['name']!r} already exists.")
    merged = {name: getattr(endpoint, name) for name in _SETTINGS} | values
    config = _config(
        name=merged["name"],
        kind=merged["kind"],
        base_url=merged["base_url"],
        model=merged["model"],
        params=merged["params"],
        timeout=merged["timeout_seconds"],
        max_retries=merged["max_retries"],
        rate_limit_per_minute=merged["rate_limit_per_minute"],
    )
    endpoint.name, endpoint.base_url, endpoint.model = config.name, config.base_url, config.model
    endpoint.params, endpoint.timeout_seconds = config.params, config.timeout
    endpoint.max_retries = config.max_retries
    endpoint.rate_limit_per_minute = config.rate_limit_per_minute
    endpoint.status = merged["status"]
    if change.clear_api_key:
        endpoint.api_key_encrypted = None
    elif change.api_key is not None:
        endpoint.api_key_encrypted = encrypt_secret(change.api_key.get_secret_value(), secret_key)
    after = _audit_view(endpoint)
    key_replaced = change.api_key is not None and not change.clear_api_key
    if after != before or key_replaced:
        insert_audit_event(
            session,
            org_id=actor.org_id,
            actor=actor.label,
            action="model_endpoint.update",
            object_type="model_endpoint",
            object_id=endpoint.id,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v}
            | ({"api_key": "replaced"} if key_replaced else {}),
        )
    session.commit()
    return endpoint


def active_endpoints(
    session: Session, actor: Actor, endpoint_ids: list[str]
) -> list[ModelEndpoint]:
    """Return the named endpoints in the given order; each must exist and be active."""
    found = store.list_endpoints_by_ids(session, actor.org_id, endpoint_ids)
    missing = [endpoint_id for endpoint_id in endpoint_ids if endpoint_id not in found]
    if missing:
        raise NotFound(f"No model endpoint {missing[0]!r} in this organisation.")
    archived = [found[i].name for i in endpoint_ids if found[i].status != "active"]
    if archived:
        raise Conflict(f"Model endpoint {archived[0]!r} is archived; it takes no new work.")
    return [found[endpoint_id] for endpoint_id in endpoint_ids]
