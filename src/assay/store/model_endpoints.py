"""Queries for model endpoints and the model setups of projects."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.errors import Conflict
from assay.store.models.rlhf import ModelEndpoint, ProjectModelSetup


def insert_endpoint(session: Session, endpoint: ModelEndpoint) -> None:
    """Store a new endpoint; a name already used in the organisation is a Conflict."""
    session.add(endpoint)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A model endpoint named {endpoint.name!r} already exists.") from exc


def rename_clash(session: Session, org_id: str, name: str, endpoint_id: str) -> bool:
    """Whether another endpoint of the organisation already has ``name``."""
    query = select(ModelEndpoint.id).where(
        ModelEndpoint.org_id == org_id, ModelEndpoint.name == name, ModelEndpoint.id != endpoint_id
    )
    return session.scalar(query) is not None


def get_endpoint(session: Session, org_id: str, endpoint_id: str) -> ModelEndpoint | None:
    """Return an endpoint of this organisation."""
    query = select(ModelEndpoint).where(
        ModelEndpoint.org_id == org_id, ModelEndpoint.id == endpoint_id
    )
    return session.scalar(query)


def list_endpoints(
    session: Session, org_id: str, *, include_archived: bool = False
) -> list[ModelEndpoint]:
    """List the organisation's endpoints, oldest first."""
    query = select(ModelEndpoint).where(ModelEndpoint.org_id == org_id)
    if not include_archived:
        query = query.where(ModelEndpoint.status == "active")
    return list(session.scalars(query.order_by(ModelEndpoint.id)))


def list_endpoints_by_ids(
    session: Session, org_id: str, ids: Sequence[str]
) -> dict[str, ModelEndpoint]:
    """Several endpoints of this organisation, by id."""
    if not ids:
        return {}
    query = select(ModelEndpoint).where(
        ModelEndpoint.org_id == org_id, ModelEndpoint.id.in_(list(ids))
    )
    return {endpoint.id: endpoint for endpoint in session.scalars(query)}


def insert_setup(session: Session, setup: ProjectModelSetup) -> None:
    """Store a project's model setup."""
    session.add(setup)
    session.flush()


def get_setup(session: Session, org_id: str, project_id: str) -> ProjectModelSetup | None:
    """Return the model setup of a project of this organisation, if it has one."""
    query = select(ProjectModelSetup).where(
        ProjectModelSetup.org_id == org_id, ProjectModelSetup.project_id == project_id
    )
    return session.scalar(query)
