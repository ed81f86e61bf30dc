"""Media uploads (images, audio, video) into the blob store; tasks cite them as ``blob:<id>``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from assay.config import Settings
from assay.domain.enums import Role
from assay.errors import InvalidInput, NotFound
from assay.services.actor import Actor
from assay.store import Session
from assay.store import blobs as store
from assay.store.audit import insert_audit_event
from assay.store.blobstore import BlobStore, iter_chunks, make_blob_store
from assay.store.models import Blob

__all__ = [
    "ALLOWED_MEDIA_KINDS",
    "REFERENCE_PREFIX",
    "BlobStore",
    "MediaView",
    "delete_media",
    "get_media",
    "media_reference",
    "normalise_content_type",
    "open_blob_store",
    "open_media",
    "parse_media_reference",
    "upload_media",
]

REFERENCE_PREFIX = "blob:"
ALLOWED_MEDIA_KINDS = ("image", "audio", "video")
_CONTENT_TYPE = re.compile(r"^(image|audio|video)/[a-z0-9][a-z0-9.+-]{0,100}$")
_BLOB_ID = re.compile(r"^blb_[0-9a-z]{26}$")


@dataclass(frozen=True)
class MediaView:
    """What may be shown about an uploaded file; ``reference`` goes into task payloads."""

    id: str
    reference: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


def open_blob_store(settings: Settings) -> BlobStore:
    """Open the blob store the settings name: an S3-compatible bucket if set, else a directory."""
    return make_blob_store(settings)


def media_reference(blob_id: str) -> str:
    """Return the string a task payload uses to point at an uploaded file."""
    return f"{REFERENCE_PREFIX}{blob_id}"


def parse_media_reference(value: str) -> str | None:
    """Return the blob id inside a ``blob:<id>`` reference, or None if ``value`` is not one."""
    if not value.startswith(REFERENCE_PREFIX):
        return None
    blob_id = value[len(REFERENCE_PREFIX) :]
    return blob_id if _BLOB_ID.match(blob_id) else None


def _view(blob: Blob) -> MediaView:
    return MediaView(
        id=blob.id,
        reference=media_reference(blob.id),
        filename=blob.filename,
        content_type=blob.content_type,
        size_bytes=blob.size_bytes,
        sha256=blob.sha256,
        created_at=blob.created_at,
    )


def normalise_content_type(content_type: str | None) -> str:
    """``Image/PNG; q=1`` -> ``image/png``; refuses anything that is not image, audio or video."""
    main = (content_type or "").split(";", 1)[0].strip().lower()
    if not _CONTENT_TYPE.match(main):
        allowed = ", ".join(f"{kind}/*" for kind in ALLOWED_MEDIA_KINDS)
        raise InvalidInput(
            f"Media must have a content type of {allowed}; got {content_type or 'none'!r}.",
            details={"content_type": content_type, "allowed": list(ALLOWED_MEDIA_KINDS)},
        )
    return main


def _clean_filename(filename: str | None) -> str:
    # Keep only the last path component and printable characters: it is echoed in headers.
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable() and ch not in '"')[:200]


def upload_media(
    session: Session,
    actor: Actor,
    blob_store: BlobStore,
    stream: IO[bytes],
    *,
    filename: str | None,
    content_type: str | None,
    max_bytes: int,
) -> MediaView:
    """Store an uploaded file and record it (requester or admin); commits.

    Raises:
        PermissionDenied: the actor may not upload.
        InvalidInput: the content type is not image/*, audio/* or video/*.
        PayloadTooLarge: the file is longer than ``max_bytes``.

    """
    actor.require(Role.REQUESTER)
    kind = normalise_content_type(content_type)
    stored = blob_store.put(actor.org_id, stream, max_bytes=max_bytes)
    blob = store.insert_blob(
        session,
        org_id=actor.org_id,
        filename=_clean_filename(filename),
        content_type=kind,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        storage_key=stored.key,
    )
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="media.upload",
        object_type="blob",
        object_id=blob.id,
        after={"content_type": kind, "size_bytes": stored.size_bytes, "sha256": stored.sha256},
    )
    session.commit()
    return _view(blob)


def _get_blob(session: Session, actor: Actor, blob_id: str) -> Blob:
    blob = store.get_blob(session, actor.org_id, blob_id)
    if blob is None:
        raise NotFound(f"No media {blob_id!r} in this organisation.")
    return blob


def get_media(session: Session, actor: Actor, blob_id: str) -> MediaView:
    """Return a file's metadata; any role of the owning organisation may read it."""
    return _view(_get_blob(session, actor, blob_id))


def open_media(
    session: Session, actor: Actor, blob_store: BlobStore, blob_id: str
) -> tuple[MediaView, Iterator[bytes]]:
    """Return a file's metadata and its bytes in chunks (closed when they run out)."""
    blob = _get_blob(session, actor, blob_id)
    return _view(blob), iter_chunks(blob_store.open(blob.storage_key))


def delete_media(session: Session, actor: Actor, blob_store: BlobStore, blob_id: str) -> None:
    """Forget a file (requester or admin); its bytes go once no record shares them. Commits."""
    actor.require(Role.REQUESTER)
    blob = _get_blob(session, actor, blob_id)
    key = blob.storage_key
    store.delete_blob(session, blob)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="media.delete",
        object_type="blob",
        object_id=blob_id,
        before={"sha256": blob.sha256, "size_bytes": blob.size_bytes},
    )
    shared = store.count_blobs_with_key(session, key)
    session.commit()
    if shared == 0:
        blob_store.delete(key)
