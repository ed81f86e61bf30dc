"""Record on each assignment the experiment arm it was leased under.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``assignments.variant_id`` (None: leased outside any experiment)."""
    op.add_column("assignments", sa.Column("variant_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("variant_id")
