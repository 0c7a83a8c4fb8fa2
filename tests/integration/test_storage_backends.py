"""Both storage backends against the same contract: local directory and a real S3 server."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from domain.adapters.storage import LocalStorage, S3Storage, storage_from_url
from domain.ports.storage import ObjectNotFound, ObjectTooLarge, Storage
from tests.support.s3 import s3_endpoint, s3_test_storage  # noqa: F401  (fixture)

MiB = 1024 * 1024


@pytest.fixture(params=["local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "store")
        return
    async with s3_test_storage(request.getfixturevalue("s3_endpoint")) as s3:
        yield s3


async def chunks_of(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def forever(chunk: bytes = b"x" * 65536) -> AsyncIterator[bytes]:
    while True:
        yield chunk


async def collect(it: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in it])


async def leftovers(storage: Storage) -> list[str]:
    """Partial state a failed write could leave: temp files or open multipart uploads."""
    if isinstance(storage, LocalStorage):
        tmp = storage.root / ".tmp"
        return sorted(os.listdir(tmp)) if tmp.exists() else []
    assert isinstance(storage, S3Storage)
    s3 = await storage._s3()
    uploads = await s3.list_multipart_uploads(Bucket=storage.bucket)
    return [u["Key"] for u in uploads.get("Uploads", [])]


async def test_round_trip_small(storage: Storage) -> None:
    data = b"hello adreel"
    result = await storage.write("a/b/hello.bin", chunks_of(data), content_type="text/plain")
    assert result.byte_size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert await storage.exists("a/b/hello.bin")
    assert await storage.size("a/b/hello.bin") == len(data)
    assert await collect(storage.read("a/b/hello.bin")) == data
    await storage.delete("a/b/hello.bin")
    assert not await storage.exists("a/b/hello.bin")
    await storage.delete("a/b/hello.bin")  # absent is fine


async def test_large_write_is_multipart_and_exact(storage: Storage) -> None:
    data = os.urandom(12 * MiB + 12345)
    result = await storage.write("big/file.bin", chunks_of(data, 100_000))
    assert result.byte_size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert await collect(storage.read("big/file.bin")) == data
    assert await leftovers(storage) == []


async def test_range_reads(storage: Storage) -> None:
    data = bytes(range(256)) * 100
    await storage.write("r/x.bin", chunks_of(data))
    assert await collect(storage.read("r/x.bin", start=10, end=19)) == data[10:20]
    assert await collect(storage.read("r/x.bin", start=25000)) == data[25000:]
    assert await collect(storage.read("r/x.bin", start=0, end=0)) == data[:1]


async def test_cap_aborts_while_streaming_and_leaves_nothing(storage: Storage) -> None:
    # An endless source: only a cap enforced while streaming can stop it.
    with pytest.raises(ObjectTooLarge) as err:
        await storage.write("capped/x.bin", forever(), max_bytes=7 * MiB)
    assert err.value.code == "TOO_LARGE"
    assert not await storage.exists("capped/x.bin")
    assert await leftovers(storage) == []


async def test_failing_source_leaves_nothing_and_keeps_previous_object(storage: Storage) -> None:
    await storage.write("keep/x.bin", chunks_of(b"old"))

    async def broken() -> AsyncIterator[bytes]:
        yield b"y" * (6 * MiB)
        raise RuntimeError("client went away")

    with pytest.raises(RuntimeError):
        await storage.write("keep/x.bin", broken())
    assert await collect(storage.read("keep/x.bin")) == b"old"
    assert await leftovers(storage) == []


async def test_missing_objects(storage: Storage) -> None:
    with pytest.raises(ObjectNotFound):
        await collect(storage.read("nope/x.bin"))
    with pytest.raises(ObjectNotFound):
        await storage.size("nope/x.bin")
    assert not await storage.exists("nope/x.bin")


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a//b", "a/../b", ".hidden", "a\\b", ""])
async def test_unsafe_keys_refused(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError):
        await storage.write(key, chunks_of(b"x"))
    with pytest.raises(ValueError):
        await collect(storage.read(key))


async def test_files_in_and_out(storage: Storage, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    data = os.urandom(3 * MiB)
    src.write_bytes(data)
    result = await storage.write_file("f/src.bin", src)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    dst = tmp_path / "dst.bin"
    assert await storage.read_to_file("f/src.bin", dst) == len(data)
    assert dst.read_bytes() == data


async def test_presign(storage: Storage) -> None:
    await storage.write("p/clip.mp4", chunks_of(b"0123456789"), content_type="video/mp4")
    url = await storage.presign_get(
        "p/clip.mp4", expires_in=60, content_type="video/mp4", filename="clip.mp4"
    )
    if isinstance(storage, LocalStorage):
        assert url is None
        return
    assert url is not None
    async with httpx.AsyncClient() as client:
        full = await client.get(url)
        assert full.status_code == 200
        assert full.content == b"0123456789"
        assert full.headers["content-type"] == "video/mp4"
        part = await client.get(url, headers={"Range": "bytes=2-4"})
        assert part.status_code == 206
        assert part.content == b"234"


def test_factory(tmp_path: Path) -> None:
    assert isinstance(storage_from_url(None, local_root=tmp_path), LocalStorage)
    s3 = storage_from_url("s3://bucket/some/prefix/", local_root=tmp_path, endpoint_url="http://x")
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix) == ("bucket", "some/prefix")
    assert s3.object_key("a/b.png") == "some/prefix/a/b.png"
    with pytest.raises(ValueError):
        storage_from_url("gs://bucket", local_root=tmp_path)
    with pytest.raises(ValueError):
        storage_from_url("s3:///nobucket", local_root=tmp_path)


async def test_container_close_releases_the_storage_client(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from domain.bootstrap import build_container
    from domain.settings import Settings
    from tests.support.s3 import ACCESS_KEY, SECRET_KEY, make_bucket

    endpoint = request.getfixturevalue("s3_endpoint")
    settings = Settings(
        env="test",
        data_dir=tmp_path / "var",
        redis_url=None,
        storage_url=f"s3://{await make_bucket(endpoint)}/adreel",
        s3_endpoint_url=endpoint,
        s3_access_key_id=ACCESS_KEY,
        s3_secret_access_key=SECRET_KEY,
    )
    container = await build_container(settings)
    storage = container.storage
    assert isinstance(storage, S3Storage)
    await storage.write("a/b.bin", chunks_of(b"bytes"))
    assert not released(storage)  # an open client with its connection pool
    await container.close()
    assert released(storage)


def released(storage: S3Storage) -> bool:
    """Whether the S3 backend holds no client (and no connection pool)."""
    return storage._client is None and storage._stack is None
