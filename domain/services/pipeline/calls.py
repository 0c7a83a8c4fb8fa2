"""Making one provider call through the ledger: reuse a stored result, else reserve, call with
in-call retries (jittered back-off for retryable errors), and give the reservation back on failure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from domain.models.pipeline import ProviderCall
from domain.ports.remote_calls import RemoteCall, making_remote_call
from domain.services.pipeline import ledger
from domain.services.pipeline.backoff import backoff_delay
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.errors import StageError, classify

log = logging.getLogger(__name__)

T = TypeVar("T")


async def attempt_call(
    ctx: StageContext, call: ProviderCall, make: Callable[[], Awaitable[T]]
) -> T:
    """Call the provider (counting every real request), retrying retryable errors in place.

    A final failure gives the call's reservation back and raises the classified ``StageError``.
    """
    settings = ctx.settings
    attempts = max(1, settings.provider_max_attempts)

    async def record(remote_id: str) -> None:
        await ledger.note_remote_id(ctx.deps.session_factory, call.id, remote_id)

    remote = RemoteCall(call.external_id, record)
    for attempt in range(1, attempts + 1):
        await ledger.note_attempt(ctx.deps.session_factory, call.id)
        try:
            with making_remote_call(remote):
                return await make()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = classify(exc, ctx.stage)
            if error.retryable and attempt < attempts:
                delay = backoff_delay(
                    attempt, base=settings.retry_base_seconds, cap=settings.retry_max_seconds
                )
                hint = getattr(exc, "retry_after", None)  # the provider's Retry-After, capped
                if isinstance(hint, int | float) and hint > delay:
                    delay = min(float(hint), max(delay, settings.retry_max_seconds))
                log.info("%s call %s failed (%s); retrying in %.1fs", call.operation,
                         call.idempotency_key, error.code, delay)  # fmt: skip
                await asyncio.sleep(delay)
                continue
            await ledger.record_failure(ctx.deps.session_factory, call.id, error)
            raise error from exc
    raise StageError("INTERNAL", "provider call loop ended", stage=ctx.stage)  # pragma: no cover


__all__ = ["attempt_call"]
