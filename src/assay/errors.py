"""The one exception tree of Assay; each class's docstring is its default message.

Services and the layers below raise these; the edges map them to HTTP statuses or exit codes
in one place each (``api/errors.py``, ``cli``).
"""

from __future__ import annotations

from typing import Any


class AssayError(Exception):
    """Something went wrong in Assay."""

    code = "error"

    def __init__(self, message: str | None = None, details: Any = None) -> None:
        self.message = message or (self.__doc__ or self.code).strip()
        self.details = details
        super().__init__(self.message)


class InvalidInput(AssayError):
    """The request is not valid."""

    code = "invalid_input"


class NotFound(AssayError):
    """The requested object does not exist (or belongs to another organisation)."""

    code = "not_found"


class Conflict(AssayError):
    """The request conflicts with the current state of the object."""

    code = "conflict"


class Unauthenticated(AssayError):
    """A valid API key is required: send 'Authorization: Bearer <key>'."""

    code = "unauthenticated"


class PermissionDenied(AssayError):
    """This key's role is not allowed to do that."""

    code = "permission_denied"


class PayloadTooLarge(AssayError):
    """The request body is larger than this server accepts."""

    code = "payload_too_large"


class NoTaskAvailable(AssayError):
    """No task is waiting for this worker right now; try again later."""

    code = "no_task_available"


class LeaseExpired(AssayError):
    """This assignment's lease has expired; ask for the next task."""

    code = "lease_expired"


class UpstreamError(AssayError):
    """A model endpoint or external service failed."""

    code = "upstream_error"
