"""The quality library's one error: input that no algorithm can use.

``assay.quality`` imports nothing else of Assay, so it cannot raise ``assay.errors.InvalidInput``
itself; callers above it (services, the CLI) map :class:`QualityInputError` to their own errors.
It subclasses :class:`ValueError` so plain library users can catch it the usual way.
"""

from __future__ import annotations

from typing import Any


class QualityInputError(ValueError):
    """The input cannot be aggregated (empty, malformed or inconsistent)."""

    code = "invalid_input"

    def __init__(self, message: str | None = None, details: Any = None) -> None:
        self.message = message or (self.__doc__ or self.code).strip()
        self.details = details
        super().__init__(self.message)
