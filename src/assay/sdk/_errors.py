"""The SDK's error: an Assay error answer, parsed from ``{"error": {...}}``."""

from __future__ import annotations

from typing import Any

import httpx


class AssayAPIError(Exception):
    """The server answered with an error status.

    Attributes:
        status: The HTTP status (4xx for bad requests, 5xx when the server failed).
        code: The machine-readable error code, e.g. ``not_found`` or ``invalid_input``.
        message: The human-readable explanation the server gave.
        details: Extra structure the server attached (e.g. every bad task of an import).

    """

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        super().__init__(f"{status} {code}: {message}")

    @classmethod
    def from_response(cls, response: httpx.Response) -> AssayAPIError:
        """Parse an error answer; bodies that are not Assay's JSON shape still give an error."""
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            return cls(
                response.status_code,
                str(error.get("code") or "error"),
                str(error.get("message") or response.reason_phrase),
                error.get("details"),
            )
        text = response.text[:500] if response.text else response.reason_phrase
        return cls(response.status_code, "http_error", text or f"HTTP {response.status_code}")
