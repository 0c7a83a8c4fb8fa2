"""The outbox: a message and one delivery per subscribed endpoint, written in the transaction of
the change they report, and handed to the queue only once it commits.

A rolled-back change writes and sends nothing; a process that dies after the commit but before
the enqueue leaves PENDING deliveries the sweep picks up. Delivery is therefore at least once:
receivers deduplicate by ``webhook-id`` (the message's id, the same on every retry).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import WebhookDeliveryStatus, WebhookEventType
from domain.models import Asset, JobEvent, WebhookDelivery, WebhookEndpoint, WebhookMessage
from domain.models.base import utcnow
from domain.rules.webhooks import (
    global_id,
    job_event_data,
    may_change_status,
    message_body,
    webhook_types_of,
)
from domain.services.unit_of_work import Hook, UnitOfWork
from domain.services.webhooks.deps import enqueue_delivery


async def _subscribers(session: AsyncSession, org_id: uuid.UUID) -> list[WebhookEndpoint]:
    """The organization's enabled endpoints (no autoflush: the caller's rows are flushed when
    the caller commits, where it handles their constraint errors)."""
    with session.no_autoflush:
        return list(
            (
                await session.scalars(
                    select(WebhookEndpoint)
                    .where(WebhookEndpoint.organization_id == org_id, WebhookEndpoint.enabled)
                    .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
                )
            ).all()
        )


def _wants(endpoint: WebhookEndpoint, type: WebhookEventType) -> bool:
    return type.name in endpoint.event_types


def record_message(
    session: AsyncSession,
    org_id: uuid.UUID,
    type: WebhookEventType,
    data: Mapping[str, Any],
    endpoints: Sequence[WebhookEndpoint],
    *,
    at: datetime | None = None,
    job_id: uuid.UUID | None = None,
    sequence: int | None = None,
) -> tuple[WebhookMessage, list[WebhookDelivery]]:
    """Add a message and a PENDING delivery to each of ``endpoints`` to the transaction; the
    deliveries are enqueued once it commits."""
    at = at or utcnow()
    message = WebhookMessage(
        id=uuid.uuid4(),
        organization_id=org_id,
        type=type,
        job_id=job_id,
        sequence=sequence,
        body=message_body(type, at, data),
        at=at,
    )
    session.add(message)
    deliveries = [
        WebhookDelivery(
            id=uuid.uuid4(),
            organization_id=org_id,
            endpoint_id=endpoint.id,
            message_id=message.id,
            event_type=type,
            status=WebhookDeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=at,
        )
        for endpoint in endpoints
    ]
    session.add_all(deliveries)
    if deliveries:
        UnitOfWork.of(session).after_commit(_dispatcher([d.id for d in deliveries]))
    return message, deliveries


def resend(
    session: AsyncSession, message: WebhookMessage, endpoint_id: uuid.UUID
) -> WebhookDelivery:
    """A new PENDING delivery of a stored message (same body, same ``webhook-id``), enqueued
    once the transaction commits."""
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        organization_id=message.organization_id,
        endpoint_id=endpoint_id,
        message_id=message.id,
        event_type=message.type,
        status=WebhookDeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    UnitOfWork.of(session).after_commit(_dispatcher([delivery.id]))
    return delivery


def _dispatcher(delivery_ids: list[uuid.UUID]) -> Hook:
    async def dispatch(uow: UnitOfWork) -> None:
        for delivery_id in delivery_ids:
            await enqueue_delivery(uow.queue, delivery_id, 1)

    return dispatch


async def record_job_event_webhooks(session: AsyncSession, event: JobEvent) -> int:
    """Write the messages a job event stands for to its transaction; returns how many."""
    types = webhook_types_of(event.type, event.payload)
    if not types and not may_change_status(event.type):
        return 0
    endpoints = await _subscribers(session, event.organization_id)
    if not endpoints:
        return 0
    if may_change_status(event.type) and any(
        _wants(e, WebhookEventType.JOB_STATUS_CHANGED) for e in endpoints
    ):
        previous = await session.scalar(
            select(JobEvent.status).where(
                JobEvent.job_id == event.job_id, JobEvent.sequence == event.sequence - 1
            )
        )
        types = webhook_types_of(
            event.type, event.payload, status_changed=previous is not event.status
        )
    data = job_event_data(
        id=event.id,
        job_id=event.job_id,
        sequence=event.sequence,
        type=event.type,
        status=event.status,
        stage=event.stage.value if event.stage else None,
        progress=event.progress,
        message=event.message,
        scene_id=event.scene_id,
        payload=event.payload,
        at=event.at,
    )
    written = 0
    for type in types:
        subscribed = [e for e in endpoints if _wants(e, type)]
        if subscribed:
            record_message(
                session,
                event.organization_id,
                type,
                data,
                subscribed,
                at=event.at,
                job_id=event.job_id,
                sequence=event.sequence,
            )
            written += 1
    return written


def asset_data(asset: Asset) -> dict[str, Any]:
    """The ``data`` of an asset message: the asset's fields as the API shows them."""
    return {
        "id": global_id("Asset", asset.id),
        "status": asset.status.value,
        "kind": asset.kind.value if asset.kind else None,
        "role": asset.role.value if asset.role else None,
        "filename": asset.filename,
        "contentType": asset.content_type,
        "byteSize": asset.byte_size,
        "sha256": asset.sha256,
        "width": asset.width,
        "height": asset.height,
        "durationSeconds": asset.duration_seconds,
        "clientId": global_id("Client", asset.client_id),
        "campaignId": global_id("Campaign", asset.campaign_id) if asset.campaign_id else None,
        "jobId": global_id("Job", asset.job_id) if asset.job_id else None,
        "sourceUrl": asset.source_url,
        "errorCode": asset.error_code,
        "errorMessage": asset.error_message,
        "duplicateOfId": (
            global_id("Asset", asset.duplicate_of_id) if asset.duplicate_of_id else None
        ),
    }


async def record_asset_webhooks(session: AsyncSession, asset: Asset) -> int:
    """Write ``asset.ready`` / ``asset.failed`` for an upload or import that just settled."""
    status = asset.status.value
    type = {"READY": WebhookEventType.ASSET_READY, "FAILED": WebhookEventType.ASSET_FAILED}.get(
        status
    )
    if type is None:
        return 0
    subscribed = [e for e in await _subscribers(session, asset.organization_id) if _wants(e, type)]
    if not subscribed:
        return 0
    record_message(session, asset.organization_id, type, asset_data(asset), subscribed)
    return 1


__all__ = [
    "asset_data",
    "record_asset_webhooks",
    "record_job_event_webhooks",
    "record_message",
    "resend",
]
