"""One attempt of a delivery: claim it, POST the signed message, log the attempt, schedule the
next one (exponential back-off with jitter) or give up, and disable an endpoint failing too long.

The claim is a conditional UPDATE (PENDING and due), so the task enqueued after the commit and a
sweep racing it never send the same attempt twice; a process that dies mid-attempt leaves a claim
that expires after the attempt's deadline, and the sweep tries again (at least once). No database
connection is held while the endpoint is called.

One attempt at a time per endpoint: the claim also leases the endpoint (``busy_until``, the
attempt's deadline). A delivery whose endpoint is busy is left due and its task ends at once (no
worker slot waits on a slow endpoint); the attempt in flight, when it ends, names the endpoint's
oldest due delivery (``AttemptResult.next_due``) for ``turns.deliver_in_turn`` to send next, and
the sweep finds any other.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from domain.enums import WebhookDeliveryStatus, WebhookEventType
from domain.errors import DomainError
from domain.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from domain.models.base import utcnow
from domain.ports.webhooks import PostAnswer
from domain.security.webhooks import signed_headers
from domain.services.pipeline.backoff import backoff_delay
from domain.services.unit_of_work import Hook, UnitOfWork
from domain.services.webhooks.deps import WebhookDeps, enqueue_delivery
from domain.services.webhooks.disabling import disable_endpoint

log = logging.getLogger(__name__)

#: The most of an answer kept in the attempt log.
SNIPPET_BYTES = 1024
#: Added to the attempt deadline for the claim (a dead attempt is retried after it).
_CLAIM_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class _Claimed:
    attempt: int
    endpoint_id: uuid.UUID
    url: str
    keys: list[str]
    msg_id: str
    body: bytes
    endpoint_enabled: bool
    is_ping: bool


@dataclass(frozen=True)
class AttemptResult:
    """What one attempt did (``None`` from :func:`deliver` when nothing was due)."""

    attempt: int
    succeeded: bool
    status_code: int | None
    error: str | None
    #: The endpoint's oldest due delivery when this attempt freed it (id, attempts so far).
    next_due: tuple[uuid.UUID, int] | None = None


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        WebhookDelivery.status == WebhookDeliveryStatus.PENDING,
        or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
    )


async def _lease_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, now: datetime, until: datetime
) -> bool:
    """Take the endpoint for one attempt: False while another attempt to it is in flight."""
    taken = await session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint_id,
            or_(WebhookEndpoint.busy_until.is_(None), WebhookEndpoint.busy_until <= now),
        )
        .values(busy_until=until)
        .execution_options(synchronize_session=False)
    )
    return getattr(taken, "rowcount", 0) == 1


async def _claim(deps: WebhookDeps, delivery_id: uuid.UUID, now: datetime) -> _Claimed | None:
    until = now + timedelta(seconds=deps.settings.webhook_timeout_seconds + _CLAIM_MARGIN_SECONDS)
    async with deps.session_factory() as session:
        endpoint_id = await session.scalar(
            select(WebhookDelivery.endpoint_id).where(WebhookDelivery.id == delivery_id, _due(now))
        )
        if endpoint_id is None or not await _lease_endpoint(session, endpoint_id, now, until):
            # not due, or the endpoint is busy: stays due; the attempt in flight hands it on
            await session.rollback()
            return None
        attempt = await session.scalar(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, _due(now))
            .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=until)
            .returning(WebhookDelivery.attempts)
            .execution_options(synchronize_session=False)
        )
        if attempt is None:
            await session.rollback()
            return None
        row = (
            await session.execute(
                select(WebhookEndpoint, WebhookMessage)
                .join(WebhookDelivery, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
                .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
                .where(WebhookDelivery.id == delivery_id)
            )
        ).one()
        await session.commit()
    endpoint, message = row
    keys = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        keys.append(endpoint.previous_secret)
    return _Claimed(
        attempt=attempt,
        endpoint_id=endpoint.id,
        url=endpoint.url,
        keys=keys,
        msg_id=str(message.id),
        body=message.body.encode(),
        endpoint_enabled=endpoint.enabled,
        is_ping=message.type is WebhookEventType.PING,
    )


async def _send(deps: WebhookDeps, claimed: _Claimed) -> tuple[PostAnswer | None, str | None, bool]:
    """POST the message; returns the answer or the error, and whether trying again may help."""
    headers = {
        **signed_headers(claimed.keys, claimed.msg_id, utcnow(), claimed.body),
        "content-type": "application/json",
        "user-agent": "Adreel-Webhooks/1",
    }
    try:
        answer = await deps.sender.post(
            claimed.url,
            claimed.body,
            headers=headers,
            timeout_seconds=deps.settings.webhook_timeout_seconds,
            connect_timeout_seconds=deps.settings.webhook_connect_timeout_seconds,
            max_response_bytes=SNIPPET_BYTES,
        )
    except DomainError as exc:
        return None, f"{exc.code}: {exc.message}"[:2000], bool(getattr(exc, "retryable", False))
    except Exception as exc:  # an unexpected failure is logged on the attempt and retried
        log.warning("webhook attempt to %s failed unexpectedly", claimed.url, exc_info=True)
        return None, f"INTERNAL: {type(exc).__name__}", True
    return answer, None, True


async def deliver(deps: WebhookDeps, delivery_id: uuid.UUID) -> AttemptResult | None:
    """Make the next attempt of a delivery if it is due; ``None`` when it is not (done, not yet
    due, or claimed by another runner)."""
    started = utcnow()
    claimed = await _claim(deps, delivery_id, started)
    if claimed is None:
        return None
    answer: PostAnswer | None = None
    if not claimed.endpoint_enabled and not claimed.is_ping:
        error: str | None = "the endpoint is disabled"
        retryable = False
        latency_ms = 0
    else:
        clock = time.monotonic()
        answer, error, retryable = await _send(deps, claimed)
        latency_ms = round((time.monotonic() - clock) * 1000)
    succeeded = answer is not None and 200 <= answer.status < 300
    if answer is not None and not succeeded:
        error = f"the endpoint answered {answer.status}"
        retryable = True
    async with deps.session_factory() as session:
        uow = UnitOfWork(session, queue=deps.queue)
        delivery = await session.get(WebhookDelivery, delivery_id, populate_existing=True)
        if delivery is not None:  # else its endpoint was deleted meanwhile
            session.add(
                WebhookAttempt(
                    id=uuid.uuid4(),
                    delivery_id=delivery_id,
                    number=claimed.attempt,
                    at=started,
                    status_code=answer.status if answer else None,
                    latency_ms=latency_ms,
                    succeeded=succeeded,
                    response_snippet=(
                        answer.body[:SNIPPET_BYTES].decode("utf-8", "replace") if answer else ""
                    ),
                    error=error,
                )
            )
            await _settle(session, deps, delivery, claimed, succeeded, error, retryable)
        next_due = await _release_endpoint(session, claimed.endpoint_id, utcnow())
        await uow.commit()
    status = answer.status if answer else None
    return AttemptResult(claimed.attempt, succeeded, status, error, next_due)


async def _settle(
    session: AsyncSession,
    deps: WebhookDeps,
    delivery: WebhookDelivery,
    claimed: _Claimed,
    succeeded: bool,
    error: str | None,
    retryable: bool,
) -> None:
    """DELIVERED; or the next attempt scheduled; or FAILED (and the endpoint's streak noted)."""
    settings = deps.settings
    now = utcnow()
    if succeeded:
        delivery.status = WebhookDeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = None
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == delivery.endpoint_id)
            .values(failing_since=None)
            .execution_options(synchronize_session=False)
        )
        return
    delivery.last_error = error
    if retryable and claimed.attempt < settings.webhook_max_attempts:
        delay = backoff_delay(
            claimed.attempt,
            base=settings.webhook_retry_base_seconds,
            cap=settings.webhook_retry_max_seconds,
        )
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        UnitOfWork.of(session).after_commit(_retry(delivery.id, claimed.attempt + 1, delay))
    else:
        delivery.status = WebhookDeliveryStatus.FAILED
        delivery.next_attempt_at = None
    if claimed.endpoint_enabled and not claimed.is_ping:
        await _note_failure(session, deps, delivery.endpoint_id, now)


async def _release_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, now: datetime
) -> tuple[uuid.UUID, int] | None:
    """Free the endpoint; returns its oldest due delivery (and its attempts so far), if any."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(busy_until=None)
        .execution_options(synchronize_session=False)
    )
    waiting = (
        await session.execute(
            select(WebhookDelivery.id, WebhookDelivery.attempts)
            .where(WebhookDelivery.endpoint_id == endpoint_id, _due(now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at)
            .limit(1)
        )
    ).first()
    return (waiting[0], waiting[1]) if waiting is not None else None


def _retry(delivery_id: uuid.UUID, attempt: int, delay: float) -> Hook:
    async def enqueue(uow: UnitOfWork) -> None:
        await enqueue_delivery(uow.queue, delivery_id, attempt, delay_seconds=delay)

    return enqueue


async def _note_failure(
    session: AsyncSession, deps: WebhookDeps, endpoint_id: uuid.UUID, now: datetime
) -> None:
    """Start (or continue) the endpoint's failing streak; disable it once it lasted too long."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(failing_since=func.coalesce(WebhookEndpoint.failing_since, now))
        .execution_options(synchronize_session=False)
    )
    endpoint = await session.get(WebhookEndpoint, endpoint_id, populate_existing=True)
    if endpoint is None or not endpoint.enabled or endpoint.failing_since is None:
        return
    streak = (now - endpoint.failing_since).total_seconds()
    if streak >= deps.settings.webhook_disable_after_seconds:
        await disable_endpoint(session, endpoint, now)


__all__ = ["SNIPPET_BYTES", "AttemptResult", "deliver"]
