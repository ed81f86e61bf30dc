"""Queries for media blob metadata (the bytes are in the blob store, never here)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.store.base import new_id
from assay.store.models import Blob


def insert_blob(
    session: Session,
    *,
    org_id: str,
    filename: str,
    content_type: str,
    size_bytes: int,
    sha256: str,
    storage_key: str,
) -> Blob:
    """Record an uploaded object."""
    blob = Blob(
        id=new_id("blb"),
        org_id=org_id,
        filename=filename,
        content_type=content_type,
        size_bytes=size_bytes,
        sha256=sha256,
        storage_key=storage_key,
    )
    session.add(blob)
    session.flush()
    return blob


def get_blob(session: Session, org_id: str, blob_id: str) -> Blob | None:
    """Find a blob of this organisation."""
    return session.scalar(select(Blob).where(Blob.org_id == org_id, Blob.id == blob_id))


def count_blobs_with_key(session: Session, storage_key: str) -> int:
    """Count the blob records sharing one stored object (uploads are content-addressed)."""
    query = select(func.count()).select_from(Blob).where(Blob.storage_key == storage_key)
    return session.scalar(query) or 0


def delete_blob(session: Session, blob: Blob) -> None:
    """Remove a blob record."""
    session.delete(blob)
    session.flush()
