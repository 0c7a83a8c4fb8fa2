"""What webhook delivery needs from the process: settings, sessions, the sender, the queue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ports.queue import DELIVER_WEBHOOK, TaskQueue
from domain.ports.webhooks import WebhookSender
from domain.settings import Settings


@dataclass(frozen=True)
class WebhookDeps:
    """Built by the container (``Container.webhooks``); ``queue`` may be None (sweep only)."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    sender: WebhookSender
    queue: TaskQueue | None


def delivery_task_key(delivery_id: uuid.UUID | str, attempt: int) -> str:
    """The queue key of one attempt: a pending attempt is never enqueued twice."""
    return f"webhook:{delivery_id}:{attempt}"


async def enqueue_delivery(
    queue: TaskQueue | None, delivery_id: uuid.UUID, attempt: int, *, delay_seconds: float = 0.0
) -> bool:
    """Enqueue attempt ``attempt`` of a delivery; False (left to the sweep) when that fails."""
    if queue is None:
        return False
    try:
        await queue.enqueue(
            DELIVER_WEBHOOK,
            key=delivery_task_key(delivery_id, attempt),
            delay_seconds=delay_seconds,
            delivery_id=str(delivery_id),
        )
    except Exception:  # the outbox row is durable; the sweep finds it
        return False
    return True


__all__ = ["WebhookDeps", "delivery_task_key", "enqueue_delivery"]
