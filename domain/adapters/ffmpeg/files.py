"""What every engine call shares: time limits, atomic outputs, scratch space, progress spans.

Every output is written to a temporary name beside its destination and renamed into place only
when FFmpeg succeeded: a failed or cancelled call leaves no half-written file behind.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from domain.assets.sniff import SNIFF_BYTES
from domain.errors import ErrorCode
from domain.media.errors import MediaError
from domain.media.types import ProgressCallback

#: Seconds a probe, thumbnail or frame extraction may take.
QUICK_TIME_LIMIT = 120.0


def read_head(path: Path) -> bytes:
    """The first bytes of a media file (what the sniffer reads); a missing file is NOT_FOUND."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise MediaError(f"media file {path.name!r} is missing", code=ErrorCode.NOT_FOUND) from None


def scaled_progress(
    progress: ProgressCallback | None, start: float, span: float
) -> ProgressCallback | None:
    """``progress`` for one step that covers ``start`` to ``start + span`` of the whole."""
    if progress is None:
        return None

    def report(fraction: float) -> object:
        return progress(start + span * fraction)

    return report  # type: ignore[return-value]


@asynccontextmanager
async def atomic_output(output: Path) -> AsyncIterator[Path]:
    """A temporary path beside ``output``, renamed onto it only if the block succeeds."""
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.stem}.partial{output.suffix}")
    try:
        yield temporary
        if not temporary.exists() or temporary.stat().st_size == 0:
            raise MediaError(f"ffmpeg wrote nothing to {output.name!r}")
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


@asynccontextmanager
async def scratch_dir(near: Path) -> AsyncIterator[Path]:
    """A private temporary directory under ``near``, removed with its contents afterwards."""

    def make() -> Path:
        near.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".adreel-media-", dir=near))

    path = await asyncio.to_thread(make)
    try:
        yield path
    finally:
        await asyncio.to_thread(shutil.rmtree, path, True)


__all__ = ["QUICK_TIME_LIMIT", "atomic_output", "read_head", "scaled_progress", "scratch_dir"]
