"""A process that writes to storage the way a stage does and is then killed (SIGKILL).

``python -m tests.support.storage_writer STORAGE_URL ROOT ENDPOINT KEY1 KEY2`` stores ``KEY1``
whole (a file whose row will never be committed), then starts a streaming write of ``KEY2`` that
never ends, prints ``writing`` and keeps going until it is killed. S3 credentials come from
``tests.support.s3``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from domain.adapters.storage import storage_from_url
from tests.support.s3 import ACCESS_KEY, SECRET_KEY


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def endless() -> AsyncIterator[bytes]:
    sent = 0
    while True:
        yield b"x" * (1024 * 1024)
        sent += 1
        if sent == 7:  # past one S3 part (5 MiB in tests): a multipart upload is open
            print("writing", flush=True)
        await asyncio.sleep(0.05 if sent < 7 else 3600)


async def main(url: str, root: str, endpoint: str, whole: str, partial: str) -> None:
    storage = storage_from_url(
        url or None,
        local_root=Path(root),
        endpoint_url=endpoint or None,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )
    if hasattr(storage, "part_bytes"):
        storage.part_bytes = 5 * 1024 * 1024
    await storage.write(whole, chunks(b"stored, never recorded"))
    await storage.write(partial, endless())


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
