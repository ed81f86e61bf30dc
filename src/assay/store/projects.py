"""Queries for projects, guideline versions and batches."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.store.models import Batch, GuidelineVersion, Project


def get_project(session: Session, org_id: str, project_id: str) -> Project | None:
    """A project of this organisation."""
    return session.scalar(select(Project).where(Project.org_id == org_id, Project.id == project_id))


def list_projects(session: Session, org_id: str, *, status: str | None = None) -> list[Project]:
    """The organisation's projects, newest first."""
    query = select(Project).where(Project.org_id == org_id)
    if status:
        query = query.where(Project.status == status)
    return list(session.scalars(query.order_by(Project.id.desc())))


def list_projects_by_ids(session: Session, org_id: str, ids: Sequence[str]) -> list[Project]:
    """Several projects of this organisation at once."""
    query = select(Project).where(Project.org_id == org_id, Project.id.in_(list(ids)))
    return list(session.scalars(query))


def insert_guideline_version(session: Session, guideline: GuidelineVersion) -> None:
    """Store one immutable guideline version."""
    session.add(guideline)
    session.flush()


def get_guideline_version(
    session: Session, project_id: str, version: int
) -> GuidelineVersion | None:
    """One version of a project's guidelines."""
    return session.scalar(
        select(GuidelineVersion).where(
            GuidelineVersion.project_id == project_id, GuidelineVersion.version == version
        )
    )


def list_guideline_versions(session: Session, project_id: str) -> list[GuidelineVersion]:
    """Every version, newest first."""
    query = select(GuidelineVersion).where(GuidelineVersion.project_id == project_id)
    return list(session.scalars(query.order_by(GuidelineVersion.version.desc())))


def get_batch(session: Session, org_id: str, batch_id: str) -> Batch | None:
    """A batch of this organisation."""
    return session.scalar(select(Batch).where(Batch.org_id == org_id, Batch.id == batch_id))


def list_batches(session: Session, org_id: str, project_id: str) -> list[Batch]:
    """A project's batches, newest first."""
    query = select(Batch).where(Batch.org_id == org_id, Batch.project_id == project_id)
    return list(session.scalars(query.order_by(Batch.id.desc())))
