"""Receiving bytes: streamed to a scratch file under the size caps, typed, probed, checked."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterable
from pathlib import Path
from typing import Any

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
_WRITE_BATCH = 4 * 1024 * 1024
#: Chunks in one batch at most (one ``writev``; the system's limit is 1,024).
_BATCH_CHUNKS = 512
#: Batches waiting for the writer thread; bounds the memory an upload holds.
_QUEUED_BATCHES = 2


def _create(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)


def _append(fd: int, digest: Any, batch: list[bytes], offset: int) -> int:
    """Hash and append ``batch`` at ``offset`` with one ``writev`` (the chunks are not joined
    first); returns the new end. hashlib releases the GIL on large buffers."""
    for chunk in batch:
        digest.update(chunk)
    size = sum(map(len, batch))
    done = os.writev(fd, batch)
    if done < size:  # a short write (rare on a file): the rest one write at a time
        rest = memoryview(b"".join(batch))[done:]
        while rest:
            rest = rest[os.write(fd, rest) :]
    # Start writing these pages to disk now (they stay cached while under write-back): the file
    # becomes durable while the rest arrives, so the fsync that stores it has little left to do.
    os.posix_fadvise(fd, offset, size, os.POSIX_FADV_DONTNEED)
    return offset + size


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
    first byte. Hashing and writing happen in a worker thread while the next bytes are received,
    and each written batch is sent on to disk at once. The chunks are held, not copied, until
    written: a producer yields a new ``bytes`` each time (never a buffer it refills).
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
    send, receive = anyio.create_memory_object_stream[list[bytes]](_QUEUED_BATCHES)

    async def writer(fd: int) -> None:
        offset = 0
        async with receive:
            async for batch in receive:
                offset = await anyio.to_thread.run_sync(_append, fd, digest, batch, offset)

    try:
        fd = await anyio.to_thread.run_sync(_create, path)
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(writer, fd)
                async with send:
                    batch: list[bytes] = []
                    batched = 0
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
                        batch.append(chunk)
                        batched += len(chunk)
                        if batched >= _WRITE_BATCH or len(batch) >= _BATCH_CHUNKS:
                            await send.send(batch)
                            batch, batched = [], 0
                    if batch:
                        await send.send(batch)
        finally:
            os.close(fd)
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
