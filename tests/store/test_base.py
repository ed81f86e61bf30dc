from __future__ import annotations

import base64

import pytest

from assay.store import base
from assay.store.base import new_id, new_ids


def _new_id_of(value: int) -> str:
    """What new_id makes of one 128-bit value."""
    encoded = base64.b32encode(value.to_bytes(16, "big")).decode("ascii")
    return f"tsk_{encoded[:26].translate(base._TO_CROCKFORD)}"


def test_bulk_ids_increase_and_sit_between_single_ids() -> None:
    before = new_id("tsk")
    many = new_ids("tsk", 5_000)
    after = new_id("tsk")
    assert [before, *many, after] == sorted({before, *many, after})
    assert all(len(i) == len(before) for i in many)
    assert new_ids("tsk", 0) == []


@pytest.mark.parametrize(
    "start",
    [
        0,
        (5 << 100) | ((1 << 28) - 3),  # the low thirty digit bits carry into the next digit
        (1 << 128) - 10,
        0x0123_4567_89AB_CDEF_FEDC_BA98_7654_3210,
    ],
)
def test_bulk_ids_are_what_new_id_makes_of_each_value(
    start: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "_next_value", lambda count=1: start)
    assert new_ids("tsk", 8) == [_new_id_of(start + i) for i in range(8)]
