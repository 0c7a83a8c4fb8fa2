"""A scene's narration: its WAV asset and its word timings.

Revision ID: 0010
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenes") as batch:
        batch.add_column(sa.Column("narration_asset_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("narration_words", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scenes") as batch:
        batch.drop_column("narration_words")
        batch.drop_column("narration_asset_id")
