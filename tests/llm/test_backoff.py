from __future__ import annotations

from typing import Any

import pytest

from assay.errors import InvalidInput
from assay.llm import Backoff


def test_without_jitter_doubles_up_to_the_cap() -> None:
    backoff = Backoff(base=0.5, cap=3.0, jitter=0.0)
    assert [backoff.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_stays_in_range_and_is_reproducible_with_a_seed() -> None:
    first = [Backoff(base=1.0, cap=100.0, jitter=0.5, seed=7).delay(3) for _ in range(2)]
    assert first[0] == first[1]
    backoff = Backoff(base=1.0, cap=100.0, jitter=0.5, seed=1)
    delays = [backoff.delay(3) for _ in range(200)]
    assert all(4.0 <= d <= 8.0 for d in delays)
    assert len(set(delays)) > 100  # really randomised, so clients spread out


def test_server_hint_wins_but_is_capped() -> None:
    backoff = Backoff(base=10.0, jitter=0.0, max_retry_after=30.0)
    assert backoff.delay(0, retry_after=2.5) == 2.5
    assert backoff.delay(4, retry_after=0.0) == 0.0
    assert backoff.delay(0, retry_after=3600.0) == 30.0
    assert backoff.delay(0, retry_after=-5.0) == 0.0


def test_huge_retry_numbers_do_not_overflow() -> None:
    assert Backoff(base=1.0, cap=20.0, jitter=0.0).delay(10_000) == 20.0


@pytest.mark.parametrize("kwargs", [{"base": -1.0}, {"jitter": 1.5}, {"cap": -0.1}])
def test_rejects_nonsense(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        Backoff(**kwargs)
