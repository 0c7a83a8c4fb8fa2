"""Schema changes for assets: ``duplicate_of_id`` (a PENDING upload or import that turned out to
duplicate a READY asset points at it), and one READY brand asset per client and content hash
(a partial unique index, so concurrent identical uploads cannot both be stored).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BRAND_READY = sa.text("status = 'READY' AND job_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch_op:
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_assets_duplicate_of_id_assets"),
            "assets",
            ["duplicate_of_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(op.f("ix_assets_duplicate_of_id"), ["duplicate_of_id"], unique=False)
    op.create_index(
        "uq_assets_brand_sha256",
        "assets",
        ["client_id", "sha256"],
        unique=True,
        sqlite_where=_BRAND_READY,
        postgresql_where=_BRAND_READY,
    )


def downgrade() -> None:
    op.drop_index("uq_assets_brand_sha256", table_name="assets")
    with op.batch_alter_table("assets") as batch_op:
        batch_op.drop_index(op.f("ix_assets_duplicate_of_id"))
        batch_op.drop_constraint(op.f("fk_assets_duplicate_of_id_assets"), type_="foreignkey")
        batch_op.drop_column("duplicate_of_id")
