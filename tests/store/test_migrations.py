from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from assay.store import make_engine
from assay.store.base import Base
from assay.store.migrate import heads


def test_history_is_linear() -> None:
    assert len(heads()) == 1


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_audit_log_refuses_update_and_delete(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, created_at) "
                "VALUES ('org_1', 'acme', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO audit_events "
                "(org_id, actor, action, object_type, object_id, created_at) "
                "VALUES ('org_1', 'cli', 'x', 'y', 'z', CURRENT_TIMESTAMP)"
            )
        )
    for statement in ("UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    engine.dispose()
