"""Background work for webhooks: one delivery attempt per task, and the sweep of due ones."""

from __future__ import annotations

import logging
import uuid

from domain.observability.metrics import record_webhook_delivery
from domain.services.webhooks.sweep import sweep_webhooks as sweep_due
from domain.services.webhooks.turns import deliver_in_turn
from tasks.context import WorkerContext

log = logging.getLogger(__name__)


async def deliver_webhook(ctx: WorkerContext, *, delivery_id: str) -> str:
    """Make the next attempt of a delivery if it is due and its endpoint free, then the
    endpoint's next due ones (its turn); the service schedules retries."""
    results = await deliver_in_turn(ctx["container"].webhooks, uuid.UUID(delivery_id))
    for result in results:
        record_webhook_delivery(result.succeeded)
        if not result.succeeded:
            log.info("webhook delivery attempt %d: %s", result.attempt, result.error)
    if not results:
        return "not-due"
    return f"{sum(r.succeeded for r in results)} of {len(results)} delivered"


async def sweep_webhooks(ctx: WorkerContext) -> int:
    """Enqueue the deliveries that are due; returns how many."""
    return await sweep_due(ctx["container"].webhooks)


__all__ = ["deliver_webhook", "sweep_webhooks"]
