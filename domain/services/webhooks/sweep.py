"""The webhook sweep: enqueue every delivery that is due (a retry whose back-off ran out, an
attempt whose runner died, or a delivery whose enqueue was lost between commit and crash).

Deliveries to an endpoint with an attempt in flight are left for that attempt's turn (see
``turns``), so a hanging endpoint's backlog never fills the sweep's batch."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select

from domain.enums import WebhookDeliveryStatus
from domain.models import WebhookDelivery, WebhookEndpoint
from domain.models.base import utcnow
from domain.services.webhooks.deps import WebhookDeps, enqueue_delivery


async def due_deliveries(deps: WebhookDeps, limit: int) -> list[tuple[uuid.UUID, int]]:
    """Up to ``limit`` PENDING deliveries due now to endpoints not busy, oldest first, with
    their attempts so far."""
    now = utcnow()
    async with deps.session_factory() as session:
        rows = (
            await session.execute(
                select(WebhookDelivery.id, WebhookDelivery.attempts)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(
                    or_(WebhookEndpoint.busy_until.is_(None), WebhookEndpoint.busy_until <= now),
                    WebhookDelivery.status == WebhookDeliveryStatus.PENDING,
                    or_(
                        WebhookDelivery.next_attempt_at.is_(None),
                        WebhookDelivery.next_attempt_at <= now,
                    ),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(limit)
            )
        ).all()
    return [(row[0], row[1]) for row in rows]


async def sweep_webhooks(deps: WebhookDeps) -> int:
    """Enqueue the due deliveries (each attempt once: the task key carries its number);
    returns how many were enqueued."""
    enqueued = 0
    for delivery_id, attempts in await due_deliveries(deps, deps.settings.webhook_sweep_batch):
        if await enqueue_delivery(deps.queue, delivery_id, attempts + 1):
            enqueued += 1
    return enqueued


__all__ = ["due_deliveries", "sweep_webhooks"]
