"""Media upload and download: images, audio and video that tasks reference as ``blob:<id>``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from assay.api.deps import ActorDep, SessionDep, SettingsDep
from assay.services import media as service
from assay.services.media import BlobStore

router = APIRouter(prefix="/v1/media", tags=["media"])


def get_blob_store(request: Request) -> BlobStore:
    """Return the app's blob store, made from its settings on first use."""
    blob_store: BlobStore | None = getattr(request.app.state, "blob_store", None)
    if blob_store is None:
        blob_store = service.open_blob_store(request.app.state.settings)
        request.app.state.blob_store = blob_store
    return blob_store


BlobStoreDep = Annotated[BlobStore, Depends(get_blob_store)]


class MediaPublic(BaseModel):
    """An uploaded file; put ``reference`` into task payloads to show it to workers."""

    id: str
    reference: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


@router.post("", response_model=MediaPublic, status_code=201)
def upload_media(
    file: UploadFile,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    blob_store: BlobStoreDep,
) -> MediaPublic:
    """Upload one image, audio or video file as multipart form field ``file``."""
    view = service.upload_media(
        session,
        actor,
        blob_store,
        file.file,
        filename=file.filename,
        content_type=file.content_type,
        max_bytes=settings.max_blob_bytes,
    )
    return MediaPublic(**vars(view))


@router.get("/{blob_id}/meta", response_model=MediaPublic)
def get_media_meta(blob_id: str, actor: ActorDep, session: SessionDep) -> MediaPublic:
    """Show a file's metadata."""
    return MediaPublic(**vars(service.get_media(session, actor, blob_id)))


@router.get(
    "/{blob_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {"image/*": {}, "audio/*": {}, "video/*": {}}}},
)
def download_media(
    blob_id: str, actor: ActorDep, session: SessionDep, blob_store: BlobStoreDep
) -> StreamingResponse:
    """Stream the file's bytes with its content type."""
    view, body = service.open_media(session, actor, blob_store, blob_id)
    # A download can take minutes; it must not hold a read transaction (on SQLite: the lock).
    session.rollback()
    headers = {
        "Content-Length": str(view.size_bytes),
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(view.filename or view.id)}",
        "ETag": f'"{view.sha256}"',
        "Cache-Control": "private, max-age=86400, immutable",
        # Uploaded files are untrusted: never sniffed, never run as a page (think image/svg+xml).
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return StreamingResponse(body, media_type=view.content_type, headers=headers)
