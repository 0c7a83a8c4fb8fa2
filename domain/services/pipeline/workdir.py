"""Scratch directories for a stage run: FFmpeg reads and writes local files only.

A work dir is removed when the block ends however it ends (success, error, cancellation).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio


@asynccontextmanager
async def work_dir(root: Path, label: str) -> AsyncIterator[Path]:
    """A fresh private directory under ``root``, deleted on exit."""
    path = root / f"{label}-{uuid.uuid4().hex[:12]}"
    await anyio.Path(path).mkdir(parents=True, exist_ok=False, mode=0o700)
    try:
        yield path
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(lambda: shutil.rmtree(path, ignore_errors=True))


__all__ = ["work_dir"]
