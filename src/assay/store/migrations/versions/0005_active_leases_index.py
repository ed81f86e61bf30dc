"""Index a worker's assignments by their open leases only.

A claim checks whether the worker has rework waiting and whether they ever held a candidate
task. With an index on ``worker_id`` alone, PostgreSQL answered both by reading every
assignment the worker ever had whenever its statistics were stale (as after a big import):
a claim slowed down with each task the worker finished. The partial index holds active leases
only; whether a worker held a task is left to the ``(task_id, worker_id)`` unique index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    """Replace ``ix_assignments_worker_id`` by ``ix_assignments_active`` (active leases)."""
    op.create_index(
        "ix_assignments_active",
        "assignments",
        ["worker_id"],
        postgresql_where=_ACTIVE,
        sqlite_where=_ACTIVE,
    )
    op.drop_index("ix_assignments_worker_id", table_name="assignments")


def downgrade() -> None:
    """Put the plain index back."""
    op.create_index("ix_assignments_worker_id", "assignments", ["worker_id"])
    op.drop_index("ix_assignments_active", table_name="assignments")
