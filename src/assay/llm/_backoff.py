"""How long to wait before retrying a failed model request."""

from __future__ import annotations

import random
import threading

from assay.errors import InvalidInput

__all__ = ["Backoff"]


class Backoff:
    """Exponential backoff with jitter, deferring to the server's Retry-After when it sends one.

    Without a hint, retry ``n`` (0-based) waits ``min(cap, base * 2**n)`` scaled by a random
    factor in ``[1 - jitter, 1]``, so many clients that failed together do not retry together.
    With a hint (``Retry-After`` on a 429 or 503) it waits what the server asked, up to
    ``max_retry_after``.

    Args:
        base: Seconds before the first retry, before jitter.
        cap: Longest wait without a server hint.
        jitter: Fraction of the wait that is randomised, in ``[0, 1]``.
        max_retry_after: Longest wait a server hint can impose.
        seed: Seed of the jitter's random generator (for reproducible tests).

    Example:
        >>> Backoff(base=1.0, jitter=0.0).delay(3)
        8.0

    """

    def __init__(
        self,
        base: float = 0.5,
        cap: float = 20.0,
        jitter: float = 0.5,
        max_retry_after: float = 60.0,
        seed: int | None = None,
    ) -> None:
        if base < 0 or cap < 0 or max_retry_after < 0 or not 0.0 <= jitter <= 1.0:
            raise InvalidInput("Backoff times must be >= 0 and jitter in [0, 1].")
        self.base = base
        self.cap = cap
        self.jitter = jitter
        self.max_retry_after = max_retry_after
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        wait = min(self.cap, self.base * 2.0 ** min(retry, 62))
        with self._lock:
            factor = 1.0 - self.jitter * self._random.random()
        return wait * factor
