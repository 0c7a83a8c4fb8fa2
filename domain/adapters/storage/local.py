"""Local-directory storage: objects are files under one root; writes are atomic (temp + rename)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import anyio

from domain.ports.storage import (
    READ_CHUNK_BYTES,
    ByteMeter,
    ObjectNotFound,
    StorageUnavailable,
    StoredObject,
    WriteResult,
    check_key,
)

#: Bytes gathered before one write to disk (fewer thread hops than one per network chunk).
_WRITE_BUFFER_BYTES = 1024 * 1024


class LocalStorage:
    """Objects as files under ``root``; partial writes live in ``root/.tmp`` until renamed."""

    def __init__(self, root: Path, *, fsync: bool = True) -> None:
        self.root = root.resolve()
        self._tmp = self.root / ".tmp"
        self._fsync = fsync

    def path_for(self, key: str) -> Path:
        """The file that holds ``key`` (for adapters that read local files directly)."""
        return self.root / check_key(key)

    def _new_temp(self) -> tuple[BinaryIO, Path]:
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="w-")
        return os.fdopen(fd, "wb"), Path(name)

    def _commit(self, handle: BinaryIO, temp: Path, final: Path) -> None:
        handle.flush()
        if self._fsync:
            os.fsync(handle.fileno())
        handle.close()
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, final)

    @staticmethod
    def _discard(handle: BinaryIO, temp: Path) -> None:
        handle.close()
        temp.unlink(missing_ok=True)

    async def write(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        max_bytes: int | None = None,
        content_type: str | None = None,
    ) -> WriteResult:
        """Stream ``chunks`` into a temp file, then rename it onto ``key``."""
        final = self.path_for(key)
        meter = ByteMeter(max_bytes)
        try:
            handle, temp = await anyio.to_thread.run_sync(self._new_temp)
        except OSError as exc:
            raise StorageUnavailable(f"cannot create a temporary file: {exc}") from exc
        try:
            buffer = bytearray()
            async for chunk in chunks:
                meter.feed(chunk)
                buffer += chunk
                if len(buffer) >= _WRITE_BUFFER_BYTES:
                    await anyio.to_thread.run_sync(handle.write, buffer)
                    buffer.clear()
            if buffer:
                await anyio.to_thread.run_sync(handle.write, buffer)
            await anyio.to_thread.run_sync(self._commit, handle, temp, final)
        except OSError as exc:
            self._discard(handle, temp)
            raise StorageUnavailable(f"cannot write {key!r}: {exc}") from exc
        except BaseException:
            self._discard(handle, temp)
            raise
        return WriteResult(key=key, byte_size=meter.byte_size, sha256=meter.sha256)

    def _copy_in(self, source: Path, final: Path) -> tuple[int, str]:
        handle, temp = self._new_temp()
        digest = hashlib.sha256()
        size = 0
        try:
            with source.open("rb") as src:
                while chunk := src.read(READ_CHUNK_BYTES):
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
            self._commit(handle, temp, final)
        except BaseException:
            self._discard(handle, temp)
            raise
        return size, digest.hexdigest()

    async def write_file(
        self, key: str, path: Path, *, content_type: str | None = None
    ) -> WriteResult:
        """Copy a local file onto ``key`` atomically."""
        final = self.path_for(key)
        try:
            size, sha256 = await anyio.to_thread.run_sync(self._copy_in, path, final)
        except OSError as exc:
            raise StorageUnavailable(f"cannot store {key!r}: {exc}") from exc
        return WriteResult(key=key, byte_size=size, sha256=sha256)

    def _move_in(self, source: Path, final: Path) -> None:
        with source.open("rb") as handle:
            if self._fsync:
                os.fsync(handle.fileno())
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, final)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            self._copy_in(source, final)  # another file system: copy once, then let it go
            source.unlink(missing_ok=True)

    async def adopt_file(self, key: str, path: Path, *, content_type: str | None = None) -> None:
        """Move a local file onto ``key`` (durable first); copied only across file systems."""
        final = self.path_for(key)
        try:
            await anyio.to_thread.run_sync(self._move_in, path, final)
        except OSError as exc:
            raise StorageUnavailable(f"cannot store {key!r}: {exc}") from exc

    async def read(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Yield bytes ``start..end`` (inclusive) of ``key``."""
        path = self.path_for(key)
        try:
            handle = await anyio.open_file(path, "rb")
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc
        except OSError as exc:
            raise StorageUnavailable(f"cannot read {key!r}: {exc}") from exc
        async with handle:
            if start:
                await handle.seek(start)
            remaining = None if end is None else max(0, end - start + 1)
            while remaining is None or remaining > 0:
                want = READ_CHUNK_BYTES if remaining is None else min(READ_CHUNK_BYTES, remaining)
                chunk = await handle.read(want)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    async def read_to_file(self, key: str, path: Path) -> int:
        """Copy ``key`` to the local file ``path``."""
        source = self.path_for(key)
        try:
            await anyio.to_thread.run_sync(shutil.copyfile, source, path)
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc
        return (await anyio.Path(path).stat()).st_size

    async def size(self, key: str) -> int:
        """Byte size of ``key``."""
        try:
            return (await anyio.Path(self.path_for(key)).stat()).st_size
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc

    async def exists(self, key: str) -> bool:
        """Whether ``key`` holds a file."""
        return await anyio.Path(self.path_for(key)).is_file()

    async def delete(self, key: str) -> None:
        """Remove ``key`` (absent is fine)."""
        await anyio.Path(self.path_for(key)).unlink(missing_ok=True)

    async def presign_get(
        self,
        key: str,
        *,
        expires_in: int,
        content_type: str | None = None,
        filename: str | None = None,
    ) -> str | None:
        """Local files have no direct URL: the server's signed ``/files`` route serves them."""
        return None

    def _walk(self, prefix: str) -> list[StoredObject]:
        found: list[StoredObject] = []
        for directory, dirs, files in os.walk(self.root):
            here = Path(directory)
            if here == self.root:
                dirs[:] = [d for d in dirs if d != self._tmp.name]
            for name in files:
                path = here / name
                key = path.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue  # removed while listing
                modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                found.append(StoredObject(key, stat.st_size, modified))
        return found

    async def list_objects(self, prefix: str = "") -> AsyncIterator[StoredObject]:
        """Every file under the root whose key starts with ``prefix`` (not the temp files)."""
        for found in await anyio.to_thread.run_sync(self._walk, prefix):
            yield found

    def _remove_partials(self, older_than: datetime) -> int:
        removed = 0
        if not self._tmp.is_dir():
            return 0
        cutoff = older_than.timestamp()
        for path in self._tmp.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    async def remove_partials(self, older_than: datetime) -> int:
        """Remove temp files of writes that died (a killed process leaves them in ``.tmp``)."""
        return await anyio.to_thread.run_sync(self._remove_partials, older_than)

    async def aclose(self) -> None:
        """Nothing to release."""


__all__ = ["LocalStorage"]
