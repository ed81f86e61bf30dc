"""A client-side request limiter, so one endpoint is never asked more often than agreed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from assay.errors import InvalidInput

__all__ = ["RateLimiter"]


class RateLimiter:
    """A thread-safe token bucket allowing ``per_minute`` requests a minute.

    The bucket holds at most ``burst`` tokens and refills continuously. Each request takes
    one token; when none is left the caller is given a reservation and sleeps until its token
    has refilled, outside the lock, so concurrent callers queue up fairly and evenly spaced.

    Args:
        per_minute: Sustained requests per minute (> 0).
        burst: Requests that may go out back to back after a quiet spell (>= 1).
        clock: Monotonic clock in seconds (injectable for tests).
        sleep: Blocking sleep (injectable for tests).

    Example:
        >>> limiter = RateLimiter(per_minute=120)  # one request every half second
        >>> limiter.acquire()
        0.0

    """

    def __init__(
        self,
        per_minute: float,
        *,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise InvalidInput("A rate limit needs per_minute > 0 and burst >= 1.")
        self.per_minute = per_minute
        self.burst = burst
        self._rate = per_minute / 60.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = burst
        self._updated = clock()

    def reserve(self) -> float:
        """Take a token now and return how many seconds the caller must wait before using it.

        Does not sleep; async callers await the returned delay themselves.
        """
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(self.burst, self._tokens + elapsed * self._rate)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self._rate

    def acquire(self) -> float:
        """Block until a request may go out; returns the seconds waited."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait
