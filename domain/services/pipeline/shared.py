"""Helpers every pipeline stage uses: idempotency fingerprints, seeds and bounded parallel
steps (a job's scenes come from ``jobs.queries.scenes_of``)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence

from domain.services.pipeline.context import StageContext
from domain.services.pipeline.errors import StageError, classify


def fingerprint(*parts: object) -> str:
    """A short stable hash of what an output depends on (part of its idempotency key)."""
    raw = json.dumps([str(p) for p in parts], separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def scene_seed(scene_id: uuid.UUID) -> int:
    """A deterministic seed per scene."""
    return int(scene_id.hex[:8], 16)


async def run_bounded(
    limit: int, jobs: Sequence[Callable[[], Awaitable[None]]]
) -> list[BaseException]:
    """Run ``jobs`` with at most ``limit`` at once; every job runs (a failure does not cancel
    the others, so their stored work is kept); returns the failures."""
    semaphore = asyncio.Semaphore(max(1, limit))

    async def one(job: Callable[[], Awaitable[None]]) -> None:
        async with semaphore:
            await job()

    results = await asyncio.gather(*(one(j) for j in jobs), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    for failure in failures:
        if isinstance(failure, asyncio.CancelledError):
            raise failure
    return failures


def first_error(failures: list[BaseException], ctx: StageContext) -> StageError | None:
    """The error to report for a parallel step: a non-retryable one wins over retryable ones."""
    errors = [classify(f, ctx.stage) for f in failures]
    return next((e for e in errors if not e.retryable), errors[0] if errors else None)


__all__ = ["fingerprint", "first_error", "run_bounded", "scene_seed"]
