"""Schema changes for pipeline execution: provider calls, stage runs, retry and composition columns.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_STAGES = ("PLAN", "STORYBOARD", "CLIPS", "COMPOSE", "RENDER")


def _stage_enum() -> sa.Enum:
    return sa.Enum(*_STAGES, name="jobstage", native_enum=False, length=32)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "provider_calls",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("scene_id", sa.Uuid(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("stage", _stage_enum(), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "SUCCEEDED",
                "FAILED",
                name="providercallstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("estimated_cost_usd", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("completed_at", domain.models.base.UTCDateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_provider_calls_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_provider_calls_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_calls")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_provider_calls_idempotency_key")),
    )
    op.create_index(op.f("ix_provider_calls_job_id"), "provider_calls", ["job_id"], unique=False)
    op.create_index(
        op.f("ix_provider_calls_organization_id"),
        "provider_calls",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "stage_runs",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("stage", _stage_enum(), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "RUNNING",
                "COMPLETED",
                "RETRYING",
                "FAILED",
                "CANCELED",
                "INTERRUPTED",
                name="stagerunoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("produced", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("finished_at", domain.models.base.UTCDateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_stage_runs_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_stage_runs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_runs")),
    )
    op.create_index("ix_stage_runs_job_id_stage", "stage_runs", ["job_id", "stage"], unique=False)
    op.create_index(
        op.f("ix_stage_runs_organization_id"), "stage_runs", ["organization_id"], unique=False
    )
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(
            sa.Column("next_run_at", domain.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("composition_asset_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("composition_asset_id")
        batch_op.drop_column("next_run_at")
    op.drop_index(op.f("ix_stage_runs_organization_id"), table_name="stage_runs")
    op.drop_index("ix_stage_runs_job_id_stage", table_name="stage_runs")
    op.drop_table("stage_runs")
    op.drop_index(op.f("ix_provider_calls_organization_id"), table_name="provider_calls")
    op.drop_index(op.f("ix_provider_calls_job_id"), table_name="provider_calls")
    op.drop_table("provider_calls")
