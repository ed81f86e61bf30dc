"""Queries for the append-only registry of model variants (endpoint configurations per project)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.store.engine import backend_name, upsert_into
from assay.store.models.rlhf import ModelVariant

if TYPE_CHECKING:
    from sqlalchemy import Table


def ensure_variant(session: Session, row: dict[str, Any]) -> str:
    """Record a variant unless the project already has it; return the variant's id.

    ``row`` holds the columns of a new :class:`ModelVariant`. Two jobs recording the same
    variant at once are harmless: the unique key keeps one and both read it back.
    """
    table = cast("Table", ModelVariant.__table__)
    statement = upsert_into(backend_name(session), table).on_conflict_do_nothing(
        index_elements=["project_id", "endpoint_id", "config_hash"]
    )
    session.connection().execute(statement, [row])
    found = session.scalar(
        select(ModelVariant.id).where(
            ModelVariant.project_id == row["project_id"],
            ModelVariant.endpoint_id == row["endpoint_id"],
            ModelVariant.config_hash == row["config_hash"],
        )
    )
    assert found is not None  # inserted above, or there already
    return found


def list_variants(session: Session, org_id: str, project_id: str) -> list[ModelVariant]:
    """List every variant ever recorded for a project, oldest first."""
    query = select(ModelVariant).where(
        ModelVariant.org_id == org_id, ModelVariant.project_id == project_id
    )
    return list(session.scalars(query.order_by(ModelVariant.created_at, ModelVariant.id)))
