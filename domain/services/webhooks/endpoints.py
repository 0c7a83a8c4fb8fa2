"""Webhook endpoints of an organization: create (the secret is shown once), update, delete,
rotate the secret (the old one keeps signing for a grace period), ping, redeliver."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import WebhookEventType
from domain.errors import DomainError, ErrorCode, Invalid, NotFound
from domain.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from domain.models.base import utcnow
from domain.ports.webhooks import WebhookSender
from domain.rules.webhooks import SUBSCRIBABLE, global_id
from domain.security.webhooks import new_secret
from domain.services.webhooks.outbox import record_message, resend

#: Endpoints one organization may have.
MAX_ENDPOINTS = 20
_URL_FIELD = ["url"]


@dataclass(frozen=True)
class WithSecret:
    """An endpoint and its new secret (returned once, by create and rotate)."""

    endpoint: WebhookEndpoint
    secret: str


def _clean_types(types: list[WebhookEventType]) -> list[str]:
    if not types:
        raise Invalid("subscribe to at least one event type", ["eventTypes"])
    for t in types:
        if t not in SUBSCRIBABLE:
            raise Invalid(f"{t.name} cannot be subscribed to", ["eventTypes"])
    return [t.name for t in SUBSCRIBABLE if t in types]


def _clean_url(sender: WebhookSender, url: str) -> str:
    url = url.strip()
    sender.check_url(url)  # UrlNotAllowed names the "url" field
    return url


def _clean_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > 500:
        raise Invalid("description must be at most 500 characters", ["description"])
    return description


async def get_endpoint(
    session: AsyncSession, org_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """The organization's endpoint, or ``NotFound``."""
    endpoint = await session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organization_id == org_id
        )
    )
    if endpoint is None:
        raise NotFound("webhook endpoint", ["endpointId"])
    return endpoint


async def create_endpoint(
    session: AsyncSession,
    sender: WebhookSender,
    org_id: uuid.UUID,
    *,
    url: str,
    event_types: list[WebhookEventType],
    description: str | None = None,
) -> WithSecret:
    """``createWebhookEndpoint``: a validated URL (the SSRF policy of URL imports), its
    subscriptions and a fresh ``whsec_`` secret."""
    clean_url = _clean_url(sender, url)
    types = _clean_types(event_types)
    count = await session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.organization_id == org_id)
    )
    if (count or 0) >= MAX_ENDPOINTS:
        raise DomainError(
            ErrorCode.LIMIT_EXCEEDED, f"at most {MAX_ENDPOINTS} webhook endpoints", _URL_FIELD
        )
    secret = new_secret()
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        organization_id=org_id,
        url=clean_url,
        description=_clean_description(description),
        event_types=types,
        enabled=True,
        secret=secret,
    )
    session.add(endpoint)
    await session.flush()
    return WithSecret(endpoint, secret)


async def update_endpoint(
    session: AsyncSession,
    sender: WebhookSender,
    org_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    *,
    url: str | None = None,
    event_types: list[WebhookEventType] | None = None,
    enabled: bool | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """``updateWebhookEndpoint``: change what was given; enabling clears the failing streak."""
    endpoint = await get_endpoint(session, org_id, endpoint_id)
    if url is not None:
        endpoint.url = _clean_url(sender, url)
    if event_types is not None:
        endpoint.event_types = _clean_types(event_types)
    if description is not None:
        endpoint.description = _clean_description(description)
    if enabled is not None and enabled != endpoint.enabled:
        endpoint.enabled = enabled
        endpoint.failing_since = None
        if enabled:
            endpoint.disabled_at = endpoint.disabled_reason = None
        else:
            endpoint.disabled_at = utcnow()
            endpoint.disabled_reason = "disabled by the organization"
    await session.flush()
    return endpoint


async def delete_endpoint(session: AsyncSession, org_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    """``deleteWebhookEndpoint``: the endpoint and its deliveries go."""
    endpoint = await get_endpoint(session, org_id, endpoint_id)
    await session.delete(endpoint)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, org_id: uuid.UUID, endpoint_id: uuid.UUID, grace_seconds: float
) -> WithSecret:
    """``rotateWebhookSecret``: a new secret signs from now on; the current one keeps signing
    beside it (two signatures in the header) for ``grace_seconds``."""
    endpoint = await get_endpoint(session, org_id, endpoint_id)
    now = utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + timedelta(seconds=grace_seconds)
    endpoint.secret = new_secret()
    await session.flush()
    return WithSecret(endpoint, endpoint.secret)


async def ping_endpoint(
    session: AsyncSession, org_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookDelivery:
    """``pingWebhookEndpoint``: a ``webhook.ping`` message to this endpoint only (sent even
    while it is disabled, to check it before enabling it)."""
    endpoint = await get_endpoint(session, org_id, endpoint_id)
    now = utcnow()
    _, deliveries = record_message(
        session,
        org_id,
        WebhookEventType.PING,
        {"endpointId": global_id("WebhookEndpoint", endpoint.id), "at": now.isoformat()},
        [endpoint],
        at=now,
    )
    await session.flush()
    return deliveries[0]


async def redeliver(
    session: AsyncSession, org_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """``redeliverWebhook``: a new delivery of the same message (same ``webhook-id``, same
    body) to the same endpoint, with a fresh attempt budget."""
    old = await session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.organization_id == org_id
        )
    )
    if old is None:
        raise NotFound("webhook delivery", ["deliveryId"])
    message = await session.get(WebhookMessage, old.message_id)
    assert message is not None
    delivery = resend(session, message, old.endpoint_id)
    await session.flush()
    return delivery


__all__ = [
    "MAX_ENDPOINTS",
    "WithSecret",
    "create_endpoint",
    "delete_endpoint",
    "get_endpoint",
    "ping_endpoint",
    "redeliver",
    "rotate_secret",
    "update_endpoint",
]
