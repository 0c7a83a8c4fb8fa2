"""Schema changes for jobs: storyboard approval time, scene beats, scenes ordered per job.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BEATS = ("HOOK", "PROBLEM", "PRODUCT", "DETAIL", "BENEFIT", "PROOF", "END_CARD", "CUSTOM")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(
            sa.Column("approved_at", domain.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("scenes") as batch_op:
        batch_op.add_column(
            sa.Column(
                "beat",
                sa.Enum(*_BEATS, name="scenebeat", native_enum=False, length=32),
                nullable=True,
            )
        )
        batch_op.create_index("ix_scenes_job_id_position", ["job_id", "position"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scenes") as batch_op:
        batch_op.drop_index("ix_scenes_job_id_position")
        batch_op.drop_column("beat")
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("approved_at")
