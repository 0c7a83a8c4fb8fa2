"""The storage port: where asset bytes live (a local directory or an S3-compatible bucket).

Keys are relative, slash-separated paths that Adreel builds itself (never user input); every
backend still refuses a key that could escape its root. Nothing here holds a whole file in memory:
writes consume an async iterator of chunks, reads yield chunks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

import anyio

from domain.errors import DomainError, ErrorCode

#: Size of the chunks backends yield when reading.
READ_CHUNK_BYTES = 1024 * 1024

_KEY_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class ObjectNotFound(DomainError):
    """The key holds no object."""

    def __init__(self, key: str) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"stored object {key!r} not found")
        self.key = key


class ObjectTooLarge(DomainError):
    """A write passed its byte cap; the backend aborted it and kept nothing."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(ErrorCode.TOO_LARGE, f"file is larger than the limit of {max_bytes} bytes")
        self.max_bytes = max_bytes


class StorageUnavailable(Exception):
    """The backend failed for a reason the caller cannot fix (I/O error, bucket unreachable)."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a completed write stored."""

    key: str
    byte_size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One object a listing found: its key, size and when it was last written (UTC)."""

    key: str
    byte_size: int
    modified: datetime


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative object key, else raise ``ValueError``.

    Allowed: 1..12 segments of ``[A-Za-z0-9._-]`` starting with a letter or digit, joined by ``/``.
    That rules out absolute paths, ``..``, empty segments, backslashes and hidden files.
    """
    segments = key.split("/")
    if not 1 <= len(segments) <= 12 or not all(_KEY_SEGMENT.match(s) for s in segments):
        raise ValueError(f"unsafe storage key: {key!r}")
    return key


class ByteMeter:
    """Counts and hashes the bytes of a stream, raising ``ObjectTooLarge`` past ``max_bytes``."""

    def __init__(self, max_bytes: int | None) -> None:
        self.max_bytes = max_bytes
        self.byte_size = 0
        self._hash = hashlib.sha256()

    def count(self, chunk: bytes) -> None:
        """Account for one chunk's size only (the caller hashes it elsewhere)."""
        self.byte_size += len(chunk)
        if self.max_bytes is not None and self.byte_size > self.max_bytes:
            raise ObjectTooLarge(self.max_bytes)

    def feed(self, chunk: bytes) -> None:
        """Account for one chunk (before it is written anywhere)."""
        self.count(chunk)
        self._hash.update(chunk)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of everything fed so far."""
        return self._hash.hexdigest()


async def file_chunks(path: Path, chunk_bytes: int = READ_CHUNK_BYTES) -> AsyncIterator[bytes]:
    """Yield a local file's bytes in chunks, reading in a worker thread."""
    async with await anyio.open_file(path, "rb") as handle:
        while chunk := await handle.read(chunk_bytes):
            yield chunk


@runtime_checkable
class Storage(Protocol):
    """Streaming object storage. Implementations: local directory, S3-compatible bucket."""

    async def write(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        max_bytes: int | None = None,
        content_type: str | None = None,
    ) -> WriteResult:
        """Stream ``chunks`` into ``key``, replacing any object there.

        The object appears whole or not at all: on ``ObjectTooLarge`` (raised as soon as the cap
        is passed), on an error in the iterator, or on cancellation, nothing is left behind.
        """
        ...

    async def write_file(
        self, key: str, path: Path, *, content_type: str | None = None
    ) -> WriteResult:
        """Store a local file under ``key`` (the file itself is left in place)."""
        ...

    async def adopt_file(self, key: str, path: Path, *, content_type: str | None = None) -> None:
        """Store a local file under ``key``, taking it: ``path`` may be gone afterwards.

        Local storage on the same file system moves the file (no copy of the bytes).
        """
        ...

    def read(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Yield the bytes of ``key`` from ``start`` up to and including ``end`` (None: to EOF).

        Raises ``ObjectNotFound`` on first iteration when the key holds nothing.
        """
        ...

    async def read_to_file(self, key: str, path: Path) -> int:
        """Copy ``key`` into the local file ``path`` (for ffmpeg, which reads local files only)."""
        ...

    async def size(self, key: str) -> int:
        """Byte size of ``key``; ``ObjectNotFound`` if absent."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether ``key`` holds an object."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; removing an absent key is not an error."""
        ...

    async def presign_get(
        self,
        key: str,
        *,
        expires_in: int,
        content_type: str | None = None,
        filename: str | None = None,
    ) -> str | None:
        """A direct, expiring GET URL for ``key``, or ``None`` when the backend has none (local)."""
        ...

    def list_objects(self, prefix: str = "") -> AsyncIterator[StoredObject]:
        """Every whole object whose key starts with ``prefix`` (partial writes are not listed)."""
        ...

    async def remove_partials(self, older_than: datetime) -> int:
        """Remove the leftovers of writes that died before finishing and started before
        ``older_than`` (temp files, incomplete multipart uploads); returns how many."""
        ...

    async def aclose(self) -> None:
        """Release connections; the storage is unusable afterwards."""
        ...


__all__ = [
    "READ_CHUNK_BYTES",
    "ByteMeter",
    "ObjectNotFound",
    "ObjectTooLarge",
    "Storage",
    "StorageUnavailable",
    "StoredObject",
    "WriteResult",
    "check_key",
    "file_chunks",
]
