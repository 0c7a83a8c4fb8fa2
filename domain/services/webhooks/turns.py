"""An endpoint's turn: a delivery task sends the endpoint's due deliveries one after another.

Attempts to one endpoint go one at a time (the endpoint lease in ``delivery``). When an attempt
frees the endpoint and another delivery to it is due, the same task sends that one next instead
of queueing it (no queue round trip between two messages to a busy receiver). A turn lasts at
most ``webhook_timeout_seconds`` before its next delivery is handed to the queue, so a task ends
within two attempt deadlines and a turn never keeps a slot from other endpoints for long.
"""

from __future__ import annotations

import time
import uuid

from domain.services.webhooks.delivery import AttemptResult, deliver
from domain.services.webhooks.deps import WebhookDeps, enqueue_delivery


async def deliver_in_turn(deps: WebhookDeps, delivery_id: uuid.UUID) -> list[AttemptResult]:
    """Attempt ``delivery_id`` if it is due and its endpoint free, then the endpoint's next due
    deliveries for the rest of the turn; returns the attempts made (none: nothing was due)."""
    started = time.monotonic()
    results: list[AttemptResult] = []
    current = delivery_id
    while True:
        result = await deliver(deps, current)
        if result is None:
            return results
        results.append(result)
        if result.next_due is None:
            return results
        current, attempts = result.next_due
        if time.monotonic() - started >= deps.settings.webhook_timeout_seconds:
            await enqueue_delivery(deps.queue, current, attempts + 1)
            return results


__all__ = ["deliver_in_turn"]
