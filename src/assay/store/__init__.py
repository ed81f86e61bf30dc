"""Persistence: SQLAlchemy tables, queries (flush, never commit), the queue claim, migrations.

Services receive a :class:`Session` from the edge and pass it to the query functions here; only
services commit.
"""

from sqlalchemy.orm import Session, sessionmaker

from assay.store.engine import (
    backend_name,
    is_sqlite,
    leading_reads,
    make_engine,
    make_session_factory,
)

SessionFactory = sessionmaker[Session]

__all__ = [
    "Session",
    "SessionFactory",
    "backend_name",
    "is_sqlite",
    "leading_reads",
    "make_engine",
    "make_session_factory",
]
