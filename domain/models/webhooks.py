"""Webhook endpoints, the outbox of signed messages, deliveries and their attempt log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.enums import WebhookDeliveryStatus, WebhookEventType
from domain.models.base import Base, Entity, UTCDateTime, str_enum, utcnow


class WebhookEndpoint(Entity):
    """A URL of the organization's that receives the event types it subscribes to.

    ``secret`` (``whsec_...``) signs every message; after a rotation ``previous_secret`` signs
    too until ``previous_secret_expires_at``. ``failing_since`` is the first failed attempt after
    the last success (an endpoint failing for ``webhook_disable_after_seconds`` is disabled).
    ``busy_until`` leases the endpoint to the one attempt in flight.
    """

    __tablename__ = "webhook_endpoints"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    url: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    secret: Mapped[str] = mapped_column(String(128), nullable=False)
    previous_secret: Mapped[str | None] = mapped_column(String(128), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Set while an attempt to the endpoint is in flight (until its deadline): one at a time.
    busy_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookMessage(Base):
    """One event as sent: the exact JSON body every endpoint receives, its id the ``webhook-id``.

    Job messages carry the job and the event's sequence (ordering is per job, by sequence);
    organization-wide ones (endpoint disabled, ping) have no job.
    """

    __tablename__ = "webhook_messages"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    type: Mapped[WebhookEventType] = mapped_column(str_enum(WebhookEventType), nullable=False)
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, nullable=True)
    sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class WebhookDelivery(Entity):
    """The outbox row of one message to one endpoint, written with the change it reports."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_due", "status", "next_attempt_at"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True, nullable=False
    )
    message_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True, nullable=False
    )
    event_type: Mapped[WebhookEventType] = mapped_column(str_enum(WebhookEventType), nullable=False)
    status: Mapped[WebhookDeliveryStatus] = mapped_column(
        str_enum(WebhookDeliveryStatus), default=WebhookDeliveryStatus.PENDING, nullable=False
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    #: When the next attempt is due; while an attempt runs, when its claim expires.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Never loaded through here; it tells the unit of work to insert the message first.
    message: Mapped[WebhookMessage] = relationship(lazy="raise", viewonly=False)


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: answer status, latency, a response snippet, the error."""

    __tablename__ = "webhook_attempts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True, nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    response_snippet: Mapped[str] = mapped_column(Text, default="", nullable=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
