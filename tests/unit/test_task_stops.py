"""Stopping work that may not stop: the embedded queue's shutdown and a canceled stage body,
both bounded, naming where a stuck task waits."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from domain.adapters.queue import embedded
from domain.adapters.queue.embedded import EmbeddedQueue


async def _cleanup_that_never_ends() -> None:
    await asyncio.Event().wait()


async def _stuck_stage(ctx: dict[str, Any]) -> None:
    try:
        await asyncio.sleep(3600)
    finally:  # a clean-up that itself never finishes, shielded from the cancel
        await asyncio.shield(_cleanup_that_never_ends())


async def _quick_stage(ctx: dict[str, Any]) -> None:
    await asyncio.sleep(3600)


async def test_stop_gives_up_on_a_stuck_task_and_logs_where_it_waits(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(embedded, "STOP_GRACE_SECONDS", 0.2)
    queue = EmbeddedQueue({"stuck": _stuck_stage, "quick": _quick_stage}, {}, concurrency=2)
    await queue.enqueue("stuck")
    await queue.enqueue("quick")
    await asyncio.sleep(0.05)
    with caplog.at_level(logging.ERROR, logger=embedded.__name__):
        await asyncio.wait_for(queue.stop(), timeout=5)
    stuck = [r.getMessage() for r in caplog.records if "did not stop" in r.getMessage()]
    assert len(stuck) == 1, stuck  # the quick one was cancelled; the stuck one is named
    assert "_stuck_stage" in stuck[0] and "_run" in stuck[0]  # its await chain, outermost first
    assert stuck[0].index("_run") < stuck[0].index("_stuck_stage")


async def test_a_canceled_stage_body_that_cannot_stop_is_left_behind(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The stage runner stops waiting for such a body (so its lease is given back), naming
    where it waits."""
    import uuid
    from types import SimpleNamespace

    from domain.enums import JobStage
    from domain.services.pipeline import runner

    monkeypatch.setattr(runner, "BODY_STOP_SECONDS", 0.2)
    body = asyncio.ensure_future(_stuck_stage({}))
    await asyncio.sleep(0.05)
    ctx: Any = SimpleNamespace(stage=JobStage.CLIPS, job_id=uuid.uuid4())
    with caplog.at_level(logging.ERROR, logger=runner.__name__):
        await asyncio.wait_for(runner._stop_body(ctx, body), timeout=5)
    assert not body.done()
    [record] = [r.getMessage() for r in caplog.records if "did not stop" in r.getMessage()]
    assert "CLIPS" in record and "_stuck_stage" in record
    quick = asyncio.ensure_future(_quick_stage({}))
    await asyncio.sleep(0.01)
    await asyncio.wait_for(runner._stop_body(ctx, quick), timeout=5)
    assert quick.cancelled()
