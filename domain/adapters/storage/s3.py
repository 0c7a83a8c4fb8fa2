"""S3-compatible storage (AWS S3, R2, MinIO) through aioboto3, streaming in both directions.

Writes go through a multipart upload fed part by part (one part buffered at a time); any
failure, cap overrun or cancellation aborts the upload, so no object and no orphaned parts remain.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aioboto3
import anyio
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError

from domain.ports.storage import (
    READ_CHUNK_BYTES,
    ByteMeter,
    ObjectNotFound,
    StorageUnavailable,
    StoredObject,
    WriteResult,
    check_key,
    file_chunks,
)

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

#: Multipart part size (S3's minimum is 5 MiB for every part but the last).
PART_BYTES = 8 * 1024 * 1024

_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def _is_missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code", "")) in _MISSING_CODES


class S3Storage:
    """Objects under ``prefix`` in ``bucket`` of an S3-compatible service."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        part_bytes: int = PART_BYTES,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.region = region
        self.part_bytes = part_bytes
        self._session = aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._stack: AsyncExitStack | None = None
        self._client: S3Client | None = None
        self._lock = anyio.Lock()

    def object_key(self, key: str) -> str:
        """The bucket key for storage key ``key``."""
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def _s3(self) -> S3Client:
        client = self._client
        if client is not None:
            return client
        async with self._lock:
            if self._client is None:
                stack = AsyncExitStack()
                config = AioConfig(
                    signature_version="s3v4",
                    retries={"max_attempts": 3, "mode": "standard"},
                    s3={"addressing_style": "path" if self.endpoint_url else "auto"},
                )
                self._client = await stack.enter_async_context(
                    self._session.client(
                        "s3",
                        endpoint_url=self.endpoint_url,
                        region_name=self.region,
                        config=config,
                    )
                )
                self._stack = stack
            client = self._client
        assert client is not None
        return client

    async def write(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        max_bytes: int | None = None,
        content_type: str | None = None,
    ) -> WriteResult:
        """Stream ``chunks`` to ``key``: one PUT when small, otherwise a multipart upload."""
        name = self.object_key(key)
        s3 = await self._s3()
        meter = ByteMeter(max_bytes)
        extra: dict[str, Any] = {"ContentType": content_type} if content_type else {}
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in chunks:
                meter.feed(chunk)
                buffer += chunk
                while len(buffer) >= self.part_bytes:
                    if upload_id is None:
                        created = await s3.create_multipart_upload(
                            Bucket=self.bucket, Key=name, **extra
                        )
                        upload_id = created["UploadId"]
                    part = bytes(buffer[: self.part_bytes])
                    del buffer[: self.part_bytes]
                    number = len(parts) + 1
                    sent = await s3.upload_part(
                        Bucket=self.bucket,
                        Key=name,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=part,
                    )
                    parts.append({"PartNumber": number, "ETag": sent["ETag"]})
            if upload_id is None:
                await s3.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer), **extra)
            else:
                if buffer:
                    number = len(parts) + 1
                    sent = await s3.upload_part(
                        Bucket=self.bucket,
                        Key=name,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=bytes(buffer),
                    )
                    parts.append({"PartNumber": number, "ETag": sent["ETag"]})
                await s3.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
                )
                upload_id = None
        except BaseException as exc:
            if upload_id is not None:
                with anyio.CancelScope(shield=True):
                    try:
                        await s3.abort_multipart_upload(
                            Bucket=self.bucket, Key=name, UploadId=upload_id
                        )
                    except (BotoCoreError, ClientError):
                        pass
            if isinstance(exc, (BotoCoreError, ClientError)):
                raise StorageUnavailable(f"cannot write {key!r}: {exc}") from exc
            raise
        return WriteResult(key=key, byte_size=meter.byte_size, sha256=meter.sha256)

    async def write_file(
        self, key: str, path: Path, *, content_type: str | None = None
    ) -> WriteResult:
        """Upload a local file, streamed in parts."""
        return await self.write(key, file_chunks(path), content_type=content_type)

    async def adopt_file(self, key: str, path: Path, *, content_type: str | None = None) -> None:
        """Upload a local file, then remove it."""
        await self.write_file(key, path, content_type=content_type)
        await anyio.Path(path).unlink(missing_ok=True)

    async def read(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Yield bytes ``start..end`` (inclusive) of ``key`` with an HTTP Range GET."""
        name = self.object_key(key)
        s3 = await self._s3()
        extra: dict[str, Any] = {}
        if start or end is not None:
            extra["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            response = await s3.get_object(Bucket=self.bucket, Key=name, **extra)
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectNotFound(key) from exc
            raise StorageUnavailable(f"cannot read {key!r}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"cannot read {key!r}: {exc}") from exc
        body = response["Body"]
        async with body:
            try:
                while chunk := await body.read(READ_CHUNK_BYTES):
                    yield chunk
            except (BotoCoreError, ClientError) as exc:
                raise StorageUnavailable(f"cannot read {key!r}: {exc}") from exc

    async def read_to_file(self, key: str, path: Path) -> int:
        """Download ``key`` into ``path``."""
        size = 0
        async with await anyio.open_file(path, "wb") as handle:
            async for chunk in self.read(key):
                await handle.write(chunk)
                size += len(chunk)
        return size

    async def _head(self, key: str) -> dict[str, Any] | None:
        s3 = await self._s3()
        try:
            return dict(await s3.head_object(Bucket=self.bucket, Key=self.object_key(key)))
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise StorageUnavailable(f"cannot stat {key!r}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"cannot stat {key!r}: {exc}") from exc

    async def size(self, key: str) -> int:
        """Byte size of ``key``."""
        head = await self._head(key)
        if head is None:
            raise ObjectNotFound(key)
        return int(head["ContentLength"])

    async def exists(self, key: str) -> bool:
        """Whether ``key`` holds an object."""
        return await self._head(key) is not None

    async def delete(self, key: str) -> None:
        """Remove ``key`` (absent is fine)."""
        s3 = await self._s3()
        try:
            await s3.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(f"cannot delete {key!r}: {exc}") from exc

    async def presign_get(
        self,
        key: str,
        *,
        expires_in: int,
        content_type: str | None = None,
        filename: str | None = None,
    ) -> str | None:
        """A presigned GET URL (the bucket serves Range, ETag and the given Content-Type)."""
        s3 = await self._s3()
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_key(key)}
        if content_type:
            params["ResponseContentType"] = content_type
        if filename:
            safe = "".join(c for c in filename if c.isalnum() or c in "._- ")[:120] or "file"
            params["ResponseContentDisposition"] = f'inline; filename="{safe}"'
        return str(
            await s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        )

    def _storage_key(self, name: str) -> str | None:
        if not self.prefix:
            return name
        head = f"{self.prefix}/"
        return name[len(head) :] if name.startswith(head) else None

    async def list_objects(self, prefix: str = "") -> AsyncIterator[StoredObject]:
        """Every object under this storage's prefix whose key starts with ``prefix``."""
        s3 = await self._s3()
        full = f"{self.prefix}/{prefix}" if self.prefix else prefix
        try:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full)
            async for page in pages:
                for item in page.get("Contents", []):
                    key = self._storage_key(item["Key"])
                    if key is not None:
                        yield StoredObject(key, int(item["Size"]), item["LastModified"])
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(f"cannot list {prefix!r}: {exc}") from exc

    async def remove_partials(self, older_than: datetime) -> int:
        """Abort multipart uploads under the prefix started before ``older_than`` (a killed
        writer leaves its parts stored and billed, though no object is visible)."""
        s3 = await self._s3()
        removed = 0
        try:
            pages = s3.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else ""
            )
            async for page in pages:
                for upload in page.get("Uploads", []):
                    if upload["Initiated"] < older_than:
                        await s3.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )
                        removed += 1
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(f"cannot clean up multipart uploads: {exc}") from exc
        return removed

    async def aclose(self) -> None:
        """Close the S3 client."""
        if self._stack is not None:
            stack, self._stack, self._client = self._stack, None, None
            await stack.aclose()


__all__ = ["PART_BYTES", "S3Storage"]
