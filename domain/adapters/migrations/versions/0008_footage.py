"""Schema changes for uploaded footage in scenes: the footage, its in-point and its sound.

Revision ID: 0008
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenes") as batch_op:
        batch_op.add_column(sa.Column("footage_asset_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("trim_start_seconds", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "footage_audio",
                sa.Enum("MUTE", "MIX", name="footageaudio", native_enum=False, length=32),
                server_default="MUTE",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("scenes") as batch_op:
        batch_op.drop_column("footage_audio")
        batch_op.drop_column("trim_start_seconds")
        batch_op.drop_column("footage_asset_id")
