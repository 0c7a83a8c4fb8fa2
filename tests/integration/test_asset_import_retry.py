"""URL imports retry retryable failures (5xx, connection resets, timeouts) with jittered
exponential back-off through the queue port, at most ``asset_import_max_attempts`` times, then
turn FAILED with ``retryable`` false. Both storage backends, both databases."""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from domain.adapters.fetch import FetchFailed, UrlFetcher, loopback_exception
from domain.bootstrap import Container
from domain.enums import AssetStatus
from domain.models import Asset as AssetModel
from domain.models import Client
from domain.services.assets import (
    RetryPolicy,
    RetryScheduled,
    complete_pending,
    create_pending_asset,
)
from schema.ids import decode_id
from tests.conftest import Api
from tests.integration.test_assets_api import (
    IMPORT,
    NODE,
    make_client,
    scratch_files,
    settings,  # noqa: F401  (the local + S3 storage parametrization)
    stored_keys,
)
from tests.support.http_server import Route, send, serve
from tests.support.media import make_media
from tests.support.s3 import s3_endpoint  # noqa: F401

BASE = 0.05
CAP = 0.4


def reset(handler: BaseHTTPRequestHandler) -> None:
    """Drop the connection with a TCP reset before any response."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def unavailable(handler: BaseHTTPRequestHandler) -> None:
    send(handler, 503, b"try later")


def scripted(*steps: Route) -> tuple[Route, list[int]]:
    """A route answering request n with ``steps[n]`` (the last one repeats); counts requests."""
    seen: list[int] = []
    lock = threading.Lock()

    def route(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            seen.append(len(seen))
            step = steps[min(len(seen) - 1, len(steps) - 1)]
        step(handler)

    return route, seen


class RecordingQueue:
    """Wraps the container's queue and records every enqueue (task, key, delay, kwargs)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str | None, float, dict[str, Any]]] = []

    async def enqueue(
        self, task: str, *, key: str | None = None, delay_seconds: float = 0.0, **kwargs: Any
    ) -> None:
        self.calls.append((task, key, delay_seconds, kwargs))
        await self.inner.enqueue(task, key=key, delay_seconds=delay_seconds, **kwargs)

    async def join(self) -> None:
        await self.inner.join()

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()


def configure(container: Container, port: int, max_attempts: int) -> RecordingQueue:
    config = container.settings
    config.asset_import_max_attempts = max_attempts
    config.asset_import_retry_base_seconds = BASE
    config.asset_import_retry_max_seconds = CAP
    container.fetcher = UrlFetcher(loopback_exception(port))
    recording = RecordingQueue(container.queue)
    container.queue = recording
    return recording


async def import_url(api: Api, url: str) -> str:
    client_id = await make_client(api)
    body = await api(IMPORT, {"i": {"url": url, "clientId": client_id}})
    asset = body["data"]["importAssetFromUrl"]["asset"]
    assert asset["status"] == "PENDING", body
    return str(asset["id"])


async def test_fails_twice_then_succeeds(api: Api, container: Container, tmp_path: Path) -> None:
    data = make_media("png", tmp_path).read_bytes()
    route, seen = scripted(unavailable, reset, lambda h: send(h, 200, data))
    with serve({"/logo.png": route}) as server:
        queue = configure(container, server.port, max_attempts=3)
        asset_id = await import_url(api, server.url("/logo.png"))
        await queue.join()
    assert len(seen) == 3
    node = (await api(NODE, {"id": asset_id}))["data"]["node"]
    assert (node["status"], node["kind"], node["error"]) == ("READY", "IMAGE", None)
    assert node["sha256"] == hashlib.sha256(data).hexdigest()
    raw_id = str(decode_id(asset_id, "Asset"))
    assert [(c[0], c[1], c[3]) for c in queue.calls] == [
        ("import_asset", f"import:{raw_id}", {"asset_id": raw_id}),
        ("import_asset", f"import:{raw_id}:2", {"asset_id": raw_id, "attempt": 2}),
        ("import_asset", f"import:{raw_id}:3", {"asset_id": raw_id, "attempt": 3}),
    ]
    first_delay, second_delay = queue.calls[1][2], queue.calls[2][2]
    assert BASE / 2 <= first_delay <= BASE  # back-off: ceiling doubles per attempt
    assert BASE / 2 <= second_delay <= 2 * BASE
    assert len([k for k in await stored_keys(container) if "original" in k]) == 1
    assert scratch_files(container.settings) == []


async def test_gives_up_after_max_attempts(api: Api, container: Container) -> None:
    route, seen = scripted(unavailable)
    with serve({"/logo.png": route}) as server:
        queue = configure(container, server.port, max_attempts=2)
        asset_id = await import_url(api, server.url("/logo.png"))
        await queue.join()
    assert len(seen) == 2
    node = (await api(NODE, {"id": asset_id}))["data"]["node"]
    assert node["status"] == "FAILED"
    assert node["error"]["code"] == "FETCH_FAILED"
    assert node["error"]["stage"] == "IMPORT"
    assert node["error"]["retryable"] is False
    assert "503" in node["error"]["message"]
    assert "gave up after 2 attempts" in node["error"]["message"]
    assert len(queue.calls) == 2
    assert await stored_keys(container) == []
    assert scratch_files(container.settings) == []


async def test_non_retryable_failure_is_not_retried(api: Api, container: Container) -> None:
    route, seen = scripted(lambda h: send(h, 404, b"gone"))
    with serve({"/logo.png": route}) as server:
        queue = configure(container, server.port, max_attempts=5)
        asset_id = await import_url(api, server.url("/logo.png"))
        await queue.join()
    assert len(seen) == 1
    assert len(queue.calls) == 1
    node = (await api(NODE, {"id": asset_id}))["data"]["node"]
    assert (node["status"], node["error"]["code"], node["error"]["retryable"]) == (
        "FAILED",
        "FETCH_FAILED",
        False,
    )


async def test_pending_between_attempts_shows_the_retryable_error(
    api: Api, container: Container
) -> None:
    """The service keeps the asset PENDING (error recorded, retryable) and tells the caller
    when to try again; the task turns that into a delayed enqueue."""
    client_id = decode_id(await make_client(api), "Client")
    async with container.session_factory() as session:
        org_id = (await session.get_one(Client, client_id)).organization_id

    async def broken() -> AsyncIterator[bytes]:
        raise FetchFailed("the server answered 502", retryable=True)
        yield b""  # pragma: no cover

    deps = container.assets
    async with container.session_factory() as session:
        asset = await create_pending_asset(
            session,
            deps,
            org_id=org_id,
            client_id=client_id,
            campaign_id=None,
            role=None,
            source_url="https://example.com/a.png",
        )
        policy = RetryPolicy(attempt=1, max_attempts=3, base_seconds=10.0, cap_seconds=60.0)
        with pytest.raises(RetryScheduled) as scheduled:
            await complete_pending(
                session, deps, asset, broken(), stage_name="IMPORT", retry=policy
            )
    assert scheduled.value.next_attempt == 2
    assert 5.0 <= scheduled.value.delay_seconds <= 10.0
    assert scheduled.value.error.code == "FETCH_FAILED"
    async with container.session_factory() as session:
        row = await session.get_one(AssetModel, asset.id)
        assert row.status is AssetStatus.PENDING
        assert (row.error_code, row.error_stage, row.error_retryable) == (
            "FETCH_FAILED",
            "IMPORT",
            True,
        )
        assert "attempt 1 of 3" in (row.error_message or "")
