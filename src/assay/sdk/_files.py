"""File transfers: multipart media uploads and streamed exports written whole or not at all."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import IO, Any

from assay.sdk._http import HttpSession, Params

MediaSource = str | os.PathLike[str] | bytes | IO[bytes]


def upload(
    session: HttpSession, source: MediaSource, content_type: str | None, filename: str | None
) -> Any:
    """Send one file as the multipart field ``file`` of ``POST /v1/media``; the decoded answer."""
    if isinstance(source, bytes):
        return _upload(session, source, filename or "upload", content_type)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        with path.open("rb") as file:
            return _upload(session, file, filename or path.name, content_type)
    return _upload(session, source, filename or "upload", content_type)


def _upload(
    session: HttpSession, data: bytes | IO[bytes], filename: str, content_type: str | None
) -> Any:
    content_type = content_type or mimetypes.guess_type(filename)[0]
    content_type = content_type or "application/octet-stream"
    start = data.tell() if not isinstance(data, bytes) and data.seekable() else None

    def files() -> dict[str, Any]:
        # A retried upload (refused connection) must send the file from its start again.
        if start is not None and not isinstance(data, bytes):
            data.seek(start)
        return {"files": {"file": (filename, data, content_type)}}

    return session.request("POST", "/v1/media", idempotent=False, build=files)


def download(session: HttpSession, path: str, params: Params, target: Path) -> Path:
    """Stream a GET into ``target`` through a ``.part`` file renamed only when complete."""
    partial = target.with_name(target.name + ".part")
    try:
        with session.stream(path, params) as response, partial.open("wb") as out:
            for block in response.iter_bytes():
                out.write(block)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target
