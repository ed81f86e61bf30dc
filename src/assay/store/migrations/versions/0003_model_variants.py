"""Model variants: an append-only registry of the endpoint configurations behind each board.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import assay.store.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# A variant, once recorded, stays: no silent retraction of a model a board has seen.
_SQLITE = [
    """CREATE TRIGGER model_variants_no_update BEFORE UPDATE ON model_variants
       BEGIN SELECT RAISE(ABORT, 'model_variants is append-only'); END""",
    """CREATE TRIGGER model_variants_no_delete BEFORE DELETE ON model_variants
       BEGIN SELECT RAISE(ABORT, 'model_variants is append-only'); END""",
]

_POSTGRES = [
    """CREATE FUNCTION model_variants_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'model_variants is append-only'; END $$""",
    """CREATE TRIGGER model_variants_append_only BEFORE UPDATE OR DELETE ON model_variants
       FOR EACH ROW EXECUTE FUNCTION model_variants_refuse()""",
]


def upgrade() -> None:
    """Add the variant registry, its append-only triggers and the variant columns."""
    op.create_table(
        "model_variants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("endpoint_id", sa.String(length=32), nullable=False),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=True),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", assay.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["model_endpoints.id"],
            name=op.f("fk_model_variants_endpoint_id_model_endpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_model_variants_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_model_variants_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_variants")),
        sa.UniqueConstraint(
            "project_id",
            "endpoint_id",
            "config_hash",
            name=op.f("uq_model_variants_project_id_endpoint_id_config_hash"),
        ),
    )
    with op.batch_alter_table("model_variants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_model_variants_project_id"), ["project_id"], unique=False
        )

    with op.batch_alter_table("chat_nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_chat_nodes_variant_id_model_variants"),
            "model_variants",
            ["variant_id"],
            ["id"],
        )

    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_generations_variant_id_model_variants"),
            "model_variants",
            ["variant_id"],
            ["id"],
        )

    statements = _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Remove the variant registry and the variant columns."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER model_variants_append_only ON model_variants")
        op.execute("DROP FUNCTION model_variants_refuse()")
    else:
        op.execute("DROP TRIGGER model_variants_no_update")
        op.execute("DROP TRIGGER model_variants_no_delete")
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_generations_variant_id_model_variants"), type_="foreignkey"
        )
        batch_op.drop_column("variant_id")

    with op.batch_alter_table("chat_nodes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_chat_nodes_variant_id_model_variants"), type_="foreignkey"
        )
        batch_op.drop_column("variant_id")

    with op.batch_alter_table("model_variants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_variants_project_id"))

    op.drop_table("model_variants")
