"""Writing a ZIP into storage by streaming: members are read, zipped and written chunk by chunk.

Nothing holds a whole member or the whole archive in memory, and nothing is written to disk but
the stored object itself (``stream-zip`` makes the ZIP64 stream; storage consumes it as it comes).
Each member's SHA-256 and size are measured as its bytes pass; ``manifest.json`` is the last
member, built from those measurements, so it describes exactly the bytes in the archive.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from stat import S_IFREG
from typing import Any

from stream_zip import ZIP_64, async_stream_zip

from domain.ports.storage import Storage, WriteResult

#: Permissions of every member (a regular file, rw-r--r--).
_MODE = S_IFREG | 0o644


@dataclass
class Member:
    """One file of the archive: its name, where its bytes come from, and what the manifest says."""

    name: str
    chunks: Callable[[], AsyncIterator[bytes]]
    modified: datetime
    describe: dict[str, Any] = field(default_factory=dict)
    size: int = 0
    sha256: str = ""


async def _measured(member: Member) -> AsyncIterator[bytes]:
    digest = hashlib.sha256()
    size = 0
    async for chunk in member.chunks():
        digest.update(chunk)
        size += len(chunk)
        yield chunk
    member.size, member.sha256 = size, digest.hexdigest()


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def manifest_json(members: list[Member], extra: dict[str, Any]) -> bytes:
    """The manifest: one entry per member (path, size, sha256 and its description)."""
    files = [{"path": m.name, "size": m.size, "sha256": m.sha256, **m.describe} for m in members]
    return json.dumps({**extra, "files": files}, indent=2, sort_keys=False).encode()


async def write_zip(
    storage: Storage,
    key: str,
    members: list[Member],
    *,
    manifest: dict[str, Any],
    modified: datetime,
    level: int = 0,
    content_type: str = "application/zip",
) -> WriteResult:
    """Stream ``members`` and a final ``manifest.json`` into ``key`` as one ZIP64 archive.

    ``level`` is the deflate level: 0 (the default) stores video, which is compressed already,
    at the cost of a copy.
    """

    async def files() -> AsyncIterator[tuple[str, datetime, int, Any, AsyncIterable[bytes]]]:
        for member in members:
            yield member.name, member.modified, _MODE, ZIP_64, _measured(member)
        yield "manifest.json", modified, _MODE, ZIP_64, _once(manifest_json(members, manifest))

    stream = async_stream_zip(
        files(), get_compressobj=lambda: zlib.compressobj(wbits=-zlib.MAX_WBITS, level=level)
    )
    return await storage.write(key, stream, content_type=content_type)


__all__ = ["Member", "manifest_json", "write_zip"]
