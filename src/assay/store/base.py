"""Declarative base, column types and id generation shared by every table."""

from __future__ import annotations

import base64
import os
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"

# Stable constraint names, so Alembic migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONValue = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store the moment in UTC; a naive datetime is a bug, refused rather than guessed."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Read the moment back as an aware UTC datetime."""
        if value is None:
            return None
        moment: datetime = value
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Base of every Assay table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # SQLAlchemy reads this class attribute as configuration; it is never mutated.
    type_annotation_map = {  # noqa: RUF012
        dict[str, Any]: JSONValue,
        list[Any]: JSONValue,
        datetime: UTCDateTime,
    }


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


_last_value = 0
_id_lock = threading.Lock()
# Standard base32 (A-Z, 2-7) to Crockford's lower-case alphabet, which sorts like the numbers.
_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _CROCKFORD)


def _next_value(count: int = 1) -> int:
    """The first of ``count`` consecutive id values, all above any value handed out before."""
    global _last_value
    candidate = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    with _id_lock:
        value = candidate if (candidate >> 80) > (_last_value >> 80) else _last_value + 1
        _last_value = value + count - 1
    return value


def new_id(prefix: str) -> str:
    """A time-ordered, globally unique id such as ``tsk_01jd8z...``.

    48 bits of milliseconds then 80 random bits, in Crockford base32: ids sort by creation
    time (good index locality, usable as a stable queue order) and can be made on any API
    server without coordination, so a project never needs a cross-shard sequence. Within one
    process, ids made in the same millisecond still increase (the random part is bumped), so
    tasks imported together keep their order.
    """
    encoded = base64.b32encode(_next_value().to_bytes(16, "big")).decode("ascii")
    return f"{prefix}_{encoded[:26].translate(_TO_CROCKFORD)}"


def new_ids(prefix: str, count: int) -> list[str]:
    """``count`` ids like :func:`new_id`'s, in increasing order, made in one go (bulk imports).

    The values are consecutive from one random start, so their 26 base32 digits differ only in
    the last six (thirty bits) but for a rare carry: those are looked up two digits at a time
    and the twenty leading digits are encoded once per carry.
    """
    if count <= 0:
        return []
    # new_id's 26 digits are the 128-bit value followed by two zero bits.
    digits = _next_value(count) << 2
    high, low = digits >> 30, digits & _LOW_MASK
    ids: list[str] = []
    while len(ids) < count:
        head = f"{prefix}_{_base32(high, 20)}"
        batch = range(low, min(_LOW_MASK + 1, low + 4 * (count - len(ids))), 4)
        ids.extend(
            head + _PAIRS[v >> 20] + _PAIRS[v >> 10 & 1023] + _PAIRS[v & 1023] for v in batch
        )
        high, low = high + 1, low + 4 * len(batch) - (_LOW_MASK + 1)
    return ids


_LOW_MASK = (1 << 30) - 1
# Every 10-bit number as two base32 digits.
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]


def _base32(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        digits.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(digits))
