from __future__ import annotations

import threading
import time

import pytest

from assay.errors import InvalidInput
from assay.llm import RateLimiter
from tests.llm.conftest import FakeClock


def test_requests_are_evenly_spaced(clock: FakeClock) -> None:
    limiter = RateLimiter(per_minute=120, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(4)]
    assert waits == [0.0, 0.5, 0.5, 0.5]
    assert clock.sleeps == [0.5, 0.5, 0.5]
    assert clock.now == pytest.approx(1.5)


def test_burst_then_steady_rate(clock: FakeClock) -> None:
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire() for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_idle_time_refills_only_up_to_the_burst(clock: FakeClock) -> None:
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.acquire()
    clock.now += 3600.0
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 1.0]


def test_reservations_queue_up_without_sleeping(clock: FakeClock) -> None:
    limiter = RateLimiter(per_minute=600, clock=clock, sleep=clock.sleep)
    assert [limiter.reserve() for _ in range(4)] == pytest.approx([0.0, 0.1, 0.2, 0.3])
    assert clock.sleeps == []


def test_concurrent_callers_each_get_their_own_slot(clock: FakeClock) -> None:
    # The clock stands still, so every reservation must be a distinct multiple of the interval:
    # a lost update under contention would show up as a duplicate.
    limiter = RateLimiter(per_minute=60, clock=clock, sleep=clock.sleep)
    waits: list[float] = []
    lock = threading.Lock()

    def caller() -> None:
        for _ in range(50):
            wait = limiter.reserve()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(round(w, 6) for w in waits) == [float(k) for k in range(400)]


def test_real_clock_spacing_across_threads() -> None:
    limiter = RateLimiter(per_minute=3000)  # one request every 20 ms
    stamps: list[float] = []
    lock = threading.Lock()

    def caller() -> None:
        for _ in range(3):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=caller) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 12 requests, the first free: at least 11 intervals of 20 ms.
    assert max(stamps) - started >= 11 * 0.02 - 0.005
    assert len(stamps) == 12


@pytest.mark.parametrize(("per_minute", "burst"), [(0, 1), (-5, 1), (60, 0.5)])
def test_rejects_nonsense(per_minute: float, burst: float) -> None:
    with pytest.raises(InvalidInput):
        RateLimiter(per_minute, burst=burst)
