"""A real S3-compatible server (moto's standalone server) on a free loopback port."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from moto.server import ThreadedMotoServer

from domain.adapters.storage.s3 import S3Storage

ACCESS_KEY = "adreel-test"
SECRET_KEY = "adreel-test-secret"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """Start moto's server for the test session; yield its endpoint URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


async def make_bucket(endpoint: str) -> str:
    """Create a uniquely named bucket and return its name."""
    import aioboto3

    name = f"adreel-{uuid.uuid4().hex[:16]}"
    session = aioboto3.Session(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name="us-east-1"
    )
    async with session.client("s3", endpoint_url=endpoint) as s3:
        await s3.create_bucket(Bucket=name)
    return name


@asynccontextmanager
async def s3_test_storage(s3_endpoint: str) -> AsyncIterator[S3Storage]:
    """An S3Storage on a fresh bucket, with a prefix, small parts (to exercise multipart)."""
    bucket = await make_bucket(s3_endpoint)
    storage = S3Storage(
        bucket,
        "media/test",
        endpoint_url=s3_endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        part_bytes=5 * 1024 * 1024,
    )
    try:
        yield storage
    finally:
        await storage.aclose()
