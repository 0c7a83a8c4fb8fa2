"""Receiving bytes: streamed to a scratch file under the size caps, typed, probed, checked."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterable
from pathlib import Path
from typing import Any, BinaryIO

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

#: Bytes gathered before one write: fewer thread hops than one per network chunk.
_WRITE_BUFFER = 4 * 1024 * 1024
#: Full buffers waiting for the writer thread; bounds the memory an upload holds.
_QUEUED_BUFFERS = 2


def _create(path: Path) -> BinaryIO:
    return path.open("wb")


def _write_and_hash(handle: BinaryIO, digest: Any, buffer: bytearray) -> None:
    digest.update(buffer)  # hashlib releases the GIL on large buffers
    handle.write(buffer)


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
    first byte. Hashing and writing happen in a worker thread while the next bytes are received.
    """
    await anyio.Path(work_dir).mkdir(parents=True, exist_ok=True)
    path = work_dir / f"{uuid.uuid4().hex}.part"
    largest = limits.max_bytes(AssetKind.DATA) if data else limits.max_bytes()
    cap = largest if max_bytes is None else min(max_bytes, largest)
    typed = sniff_csv if data else sniff
    meter = ByteMeter(cap)
    digest = hashlib.sha256()
    head = bytearray()
    sniffed: Sniffed | None = None
    send, receive = anyio.create_memory_object_stream[bytearray](_QUEUED_BUFFERS)

    async def writer(handle: BinaryIO) -> None:
        async with receive:
            async for full in receive:
                await anyio.to_thread.run_sync(_write_and_hash, handle, digest, full)

    try:
        with await anyio.to_thread.run_sync(_create, path) as handle:
            async with anyio.create_task_group() as group:
                group.start_soon(writer, handle)
                async with send:
                    buffer = bytearray()
                    async for chunk in chunks:
                        meter.count(chunk)
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
                            await send.send(buffer)
                            buffer = bytearray()
                    if buffer:
                        await send.send(buffer)
        if sniffed is None:
            sniffed = typed(bytes(head))
        check_size(limits, sniffed.kind, meter.byte_size)
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            await anyio.Path(path).unlink(missing_ok=True)
        error = _single(exc)
        if isinstance(error, ObjectTooLarge):
            raise too_large(error.max_bytes) from error
        if error is not exc:
            raise error from exc
        raise
    return Staged(path=path, byte_size=meter.byte_size, sha256=digest.hexdigest(), sniffed=sniffed)


def _single(exc: BaseException) -> BaseException:
    """The one error inside a task group's group of errors (the group itself otherwise)."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


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
