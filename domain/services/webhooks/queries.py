"""Reading webhook endpoints, their deliveries and the attempt log (scoped by organization)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import WebhookDeliveryStatus
from domain.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage


def endpoints_query(org_id: uuid.UUID) -> Select[WebhookEndpoint]:
    """The organization's endpoints (for a keyset page)."""
    return select(WebhookEndpoint).where(WebhookEndpoint.organization_id == org_id)


def deliveries_query(
    org_id: uuid.UUID, endpoint_id: uuid.UUID, status: WebhookDeliveryStatus | None = None
) -> Select[WebhookDelivery]:
    """An endpoint's deliveries, optionally of one status (for a keyset page)."""
    stmt = select(WebhookDelivery).where(
        WebhookDelivery.organization_id == org_id, WebhookDelivery.endpoint_id == endpoint_id
    )
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    return stmt


async def attempts_of(session: AsyncSession, delivery_id: uuid.UUID) -> Sequence[WebhookAttempt]:
    """A delivery's attempts, first first."""
    return (
        await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number, WebhookAttempt.at)
        )
    ).all()


async def message_of(session: AsyncSession, message_id: uuid.UUID) -> WebhookMessage | None:
    """The message a delivery sends."""
    return await session.get(WebhookMessage, message_id)


__all__ = ["attempts_of", "deliveries_query", "endpoints_query", "message_of"]
