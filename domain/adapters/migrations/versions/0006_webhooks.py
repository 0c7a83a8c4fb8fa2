"""Schema changes for webhooks: endpoints, the message outbox, deliveries and their attempts.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("previous_secret", sa.String(length=128), nullable=True),
        sa.Column(
            "previous_secret_expires_at",
            domain.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("failing_since", domain.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", domain.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_endpoints_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "webhook_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "JOB_STATUS_CHANGED",
                "JOB_STORYBOARD_READY",
                "SCENE_FAILED",
                "RENDER_COMPLETED",
                "RENDER_FAILED",
                "COST_VARIANCE",
                "BUDGET_STOP",
                "ASSET_READY",
                "ASSET_FAILED",
                "ENDPOINT_DISABLED",
                "PING",
                name="webhookeventtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_messages_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_messages")),
    )
    with op.batch_alter_table("webhook_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_messages_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_webhook_messages_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "webhook_deliveries",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column(
            "event_type",
            sa.Enum(
                "JOB_STATUS_CHANGED",
                "JOB_STORYBOARD_READY",
                "SCENE_FAILED",
                "RENDER_COMPLETED",
                "RENDER_FAILED",
                "COST_VARIANCE",
                "BUDGET_STOP",
                "ASSET_READY",
                "ASSET_FAILED",
                "ENDPOINT_DISABLED",
                "PING",
                name="webhookeventtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "DELIVERED",
                "FAILED",
                name="webhookdeliverystatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", domain.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", domain.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["webhook_messages.id"],
            name=op.f("fk_webhook_deliveries_message_id_webhook_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_deliveries_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_endpoint_id"), ["endpoint_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_status_due", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", domain.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("response_snippet", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_attempts_delivery_id"), ["delivery_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_attempts_delivery_id"))

    op.drop_table("webhook_attempts")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_status_due")
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_organization_id"))
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_message_id"))
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_endpoint_id"))

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("webhook_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_messages_organization_id"))
        batch_op.drop_index(batch_op.f("ix_webhook_messages_job_id"))

    op.drop_table("webhook_messages")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_organization_id"))

    op.drop_table("webhook_endpoints")
