"""Receiving bytes: streamed to a scratch file under the size caps, typed, probed, checked."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from pathlib import Path

import anyio

from domain.assets.csv_data import parse_csv, sniff_csv
from domain.assets.limits import AssetLimits, check_media, check_size, too_large
from domain.assets.sniff import SNIFF_BYTES, Sniffed, sniff
from domain.enums import AssetKind
from domain.errors import DomainError, ErrorCode
from domain.media.font_file import read_font
from domain.media.types import MediaInfo
from domain.ports.storage import ByteMeter, ObjectTooLarge
from domain.services.assets.deps import AssetDeps, Staged

_WRITE_BUFFER = 1024 * 1024


async def stage(
    chunks: AsyncIterable[bytes],
    work_dir: Path,
    limits: AssetLimits,
    *,
    max_bytes: int | None = None,
    data: bool = False,
) -> Staged:
    """Stream ``chunks`` into a scratch file, deciding the type from the first bytes.

    The cap starts at the largest per-kind limit (or ``max_bytes``) and tightens to the kind's
    own limit once the type is known, so an oversize file is refused while it streams. With
    ``data`` (a DATA asset) the file must be CSV text and is capped at the data limit from the
    first byte.
    """
    await anyio.Path(work_dir).mkdir(parents=True, exist_ok=True)
    path = work_dir / f"{uuid.uuid4().hex}.part"
    largest = limits.max_bytes(AssetKind.DATA) if data else limits.max_bytes()
    cap = largest if max_bytes is None else min(max_bytes, largest)
    typed = sniff_csv if data else sniff
    meter = ByteMeter(cap)
    head = bytearray()
    sniffed: Sniffed | None = None
    try:
        async with await anyio.open_file(path, "wb") as handle:
            buffer = bytearray()
            async for chunk in chunks:
                meter.feed(chunk)
                if sniffed is None:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        sniffed = typed(bytes(head))
                        kind_cap = limits.max_bytes(sniffed.kind)
                        if meter.max_bytes is None or kind_cap < meter.max_bytes:
                            meter.max_bytes = kind_cap
                        if meter.byte_size > kind_cap:
                            raise ObjectTooLarge(kind_cap)
                buffer += chunk
                if len(buffer) >= _WRITE_BUFFER:
                    await handle.write(buffer)
                    buffer.clear()
            if buffer:
                await handle.write(buffer)
        if sniffed is None:
            sniffed = typed(bytes(head))
        check_size(limits, sniffed.kind, meter.byte_size)
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            await anyio.Path(path).unlink(missing_ok=True)
        if isinstance(exc, ObjectTooLarge):
            raise too_large(exc.max_bytes) from exc
        raise
    return Staged(path=path, byte_size=meter.byte_size, sha256=meter.sha256, sniffed=sniffed)


async def inspect(staged: Staged, deps: AssetDeps) -> tuple[Sniffed, MediaInfo]:
    """Probe a staged file and apply the limits; returns the (possibly refined) type and info.
    A CSV data file is read whole and checked (``domain.assets.csv_data``) instead."""
    sniffed = staged.sniffed
    if sniffed.kind is AssetKind.DATA:
        content = await anyio.Path(staged.path).read_bytes()
        parse_csv(content, max_rows=deps.limits.max_data_rows, field=["file"])
        return sniffed, MediaInfo(sniffed.container, None)
    if sniffed.kind is AssetKind.FONT:  # parsed whole, never handed to FFmpeg
        await anyio.to_thread.run_sync(read_font, staged.path, sniffed.container)
        return sniffed, MediaInfo(sniffed.container, None)
    info = await deps.inspector.probe(staged.path, sniffed)
    if sniffed.kind is AssetKind.VIDEO and not info.video_codec and info.audio_codec:
        # An MP4/MOV container holding only sound is an audio asset.
        from domain.assets.sniff import M4A

        sniffed = M4A
        info = MediaInfo(info.container, info.duration, audio_codec=info.audio_codec)
        check_size(deps.limits, sniffed.kind, staged.byte_size)
    if sniffed.kind is AssetKind.AUDIO and not info.audio_codec:
        raise DomainError(ErrorCode.UNSUPPORTED_MEDIA, "no audio stream found", ["file"])
    if sniffed.kind is AssetKind.VIDEO and not info.video_codec:
        raise DomainError(ErrorCode.UNSUPPORTED_MEDIA, "no video stream found", ["file"])
    check_media(
        deps.limits,
        sniffed.kind,
        width=info.width,
        height=info.height,
        duration_seconds=info.duration,
    )
    return sniffed, info


__all__ = ["inspect", "stage"]
