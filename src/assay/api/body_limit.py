"""Refuse oversize request bodies with a 413 before they are read into memory."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """Raised inside the receive wrapper when a streamed body passes the limit."""


class BodyLimitMiddleware:
    """Pure ASGI middleware: checks Content-Length up front and counts streamed bytes."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        *,
        upload_paths: tuple[str, ...] = (),
        max_upload_bytes: int = 0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Media uploads stream to the blob store and may be far larger than a JSON body.
        self.upload_paths = upload_paths
        self.max_upload_bytes = max(max_upload_bytes, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, refusing it once its body passes the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload_bytes if scope.get("path") in self.upload_paths else self.max_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._refuse(send, limit)
                return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # FastAPI turns an error raised while reading the body into its own 400; once the
            # limit is passed, the client gets the 413 that says why instead.
            nonlocal refused
            if received <= limit:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(send, limit)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if not refused:
                await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body: dict[str, Any] = {
            "error": {
                "code": "payload_too_large",
                "message": f"The request body is larger than {limit} bytes; "
                "split it into smaller requests.",
                "details": {"max_bytes": limit},
            }
        }
        raw = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(raw)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": raw})
