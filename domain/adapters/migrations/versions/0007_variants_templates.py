"""Variant groups, job templates, batches and bundles; jobs know their group and batch.

Revision ID: 0007
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _entity() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
    ]


def _organization() -> sa.Column[object]:
    return sa.Column("organization_id", sa.Uuid(), nullable=False)


def _org_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "variant_groups",
        _organization(),
        sa.Column("source_job_id", sa.Uuid(), nullable=False),
        *_entity(),
        _org_fk(),
        sa.ForeignKeyConstraint(["source_job_id"], ["jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_variant_groups_organization_id", "variant_groups", ["organization_id"])
    op.create_index("ix_variant_groups_source_job_id", "variant_groups", ["source_job_id"])
    op.create_table(
        "job_templates",
        _organization(),
        sa.Column("source_job_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("storyboard", sa.JSON(), nullable=False),
        *_entity(),
        _org_fk(),
        sa.ForeignKeyConstraint(["source_job_id"], ["jobs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_job_templates_organization_id", "job_templates", ["organization_id"])
    op.create_table(
        "job_batches",
        _organization(),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        *_entity(),
        _org_fk(),
        sa.ForeignKeyConstraint(["template_id"], ["job_templates.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_job_batches_organization_id", "job_batches", ["organization_id"])
    op.create_index("ix_job_batches_campaign_id", "job_batches", ["campaign_id"])
    op.create_table(
        "bundles",
        _organization(),
        sa.Column(
            "status",
            sa.Enum(
                "RENDERING",
                "ZIPPING",
                "COMPLETED",
                "FAILED",
                name="bundlestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("captions", sa.Boolean(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("completed_at", domain.models.base.UTCDateTime(timezone=True), nullable=True),
        *_entity(),
        _org_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bundles_organization_id", "bundles", ["organization_id"])
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("variant_group_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("batch_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("batch_row", sa.Integer(), nullable=True))
        batch.create_index("ix_jobs_variant_group_id", ["variant_group_id"])
        batch.create_index("ix_jobs_batch_id", ["batch_id"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_batch_id")
        batch.drop_index("ix_jobs_variant_group_id")
        batch.drop_column("batch_row")
        batch.drop_column("batch_id")
        batch.drop_column("variant_group_id")
    op.drop_table("bundles")
    op.drop_table("job_batches")
    op.drop_table("job_templates")
    op.drop_table("variant_groups")
