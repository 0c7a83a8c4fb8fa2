"""An endpoint that kept failing is disabled, and an organization-wide event says so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import WebhookEventType
from domain.models import WebhookEndpoint
from domain.rules.webhooks import global_id
from domain.services.webhooks.outbox import record_message


async def disable_endpoint(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Disable ``endpoint`` and record a ``webhook.endpoint_disabled`` message (no job): it is
    kept whoever listens, and delivered to the organization's other endpoints subscribed to it."""
    since = endpoint.failing_since or now
    hours = (now - since).total_seconds() / 3600
    endpoint.enabled = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = f"every delivery failed for {hours:.1f} hours"
    listeners = (
        await session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.organization_id == endpoint.organization_id,
                WebhookEndpoint.enabled,
                WebhookEndpoint.id != endpoint.id,
            )
        )
    ).all()
    subscribed = [e for e in listeners if WebhookEventType.ENDPOINT_DISABLED.name in e.event_types]
    record_message(
        session,
        endpoint.organization_id,
        WebhookEventType.ENDPOINT_DISABLED,
        {
            "endpointId": global_id("WebhookEndpoint", endpoint.id),
            "url": endpoint.url,
            "failingSince": since.isoformat(),
            "disabledAt": now.isoformat(),
            "reason": endpoint.disabled_reason,
        },
        subscribed,
        at=now,
    )


__all__ = ["disable_endpoint"]
