"""Reporting a provider call's progress to the pipeline's callback (sync or async)."""

from __future__ import annotations

import inspect

from domain.media.types import ProgressCallback


async def report(on_progress: ProgressCallback | None, fraction: float) -> None:
    """Tell ``on_progress`` the call is ``fraction`` (clamped to 0..1) done."""
    if on_progress is None:
        return
    result = on_progress(max(0.0, min(1.0, fraction)))
    if inspect.isawaitable(result):
        await result


__all__ = ["report"]
