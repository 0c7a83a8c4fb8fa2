"""Background work for webhooks: one delivery attempt per task, and the sweep of due ones."""

from __future__ import annotations

import logging
import uuid

from domain.observability.metrics import record_webhook_delivery
from domain.services.webhooks.delivery import deliver
from domain.services.webhooks.sweep import sweep_webhooks as sweep_due
from tasks.context import WorkerContext

log = logging.getLogger(__name__)


async def deliver_webhook(ctx: WorkerContext, *, delivery_id: str) -> str:
    """Make the next attempt of a delivery if it is due; the service schedules retries."""
    result = await deliver(ctx["container"].webhooks, uuid.UUID(delivery_id))
    if result is None:
        return "not-due"
    record_webhook_delivery(result.succeeded)
    if not result.succeeded:
        log.info("webhook delivery %s attempt %d: %s", delivery_id, result.attempt, result.error)
    return "delivered" if result.succeeded else "failed"


async def sweep_webhooks(ctx: WorkerContext) -> int:
    """Enqueue the deliveries that are due; returns how many."""
    return await sweep_due(ctx["container"].webhooks)


__all__ = ["deliver_webhook", "sweep_webhooks"]
