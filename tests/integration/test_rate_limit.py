"""Per-key rate limiting: in memory by default, shared through Redis when configured."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from domain.bootstrap import build_container
from domain.settings import Settings
from tests.conftest import new_key
from tests.support.db import snapshot
from tests.support.graph import CREATE_CLIENT

BURST = 3
PER_MINUTE = 60  # one token a second: a limited key recovers within a second


@pytest.fixture
def settings(data_dir, database_url) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=None,
        rate_limit_burst=BURST,
        rate_limit_per_minute=PER_MINUTE,
    )


async def _post(http: httpx.AsyncClient, key: str, query: str, variables: Any = None):
    return await http.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}"},
    )


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["Retry-After"] == "1"
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < body["errors"][0]["extensions"]["retryAfter"] <= 60 / PER_MINUTE


async def test_memory_rate_limit(api, other_api, container) -> None:
    before = await snapshot(container.engine)
    for _ in range(BURST):
        assert (await _post(api.http, api.key, "{ viewer { keyName } }")).status_code == 200
    _assert_limited(await _post(api.http, api.key, "{ viewer { keyName } }"))
    # a limited mutation writes nothing
    _assert_limited(await _post(api.http, api.key, CREATE_CLIENT, {"input": {"name": "Late"}}))
    assert await snapshot(container.engine) == before
    # limits are per key
    assert (await _post(other_api.http, other_api.key, "{ viewer { keyName } }")).status_code == 200
    # and tokens come back with time
    await asyncio.sleep(60 / PER_MINUTE + 0.05)
    assert (await _post(api.http, api.key, "{ viewer { keyName } }")).status_code == 200


@asynccontextmanager
async def _redis_app(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    from server import create_app

    container = await build_container(settings, migrate=True)
    app = create_app(settings, container)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://a.test") as http:
                yield http
    finally:
        await container.close()


@pytest.mark.redis
async def test_redis_rate_limit_is_shared_by_every_process(settings, redis_url) -> None:
    shared = Settings(**{**settings.model_dump(), "redis_url": redis_url})
    async with _redis_app(shared) as first, _redis_app(shared) as second:
        container = await build_container(shared)
        try:
            key = await new_key(container, "redis-limited")
        finally:
            await container.close()
        # the burst is spent across two API processes: they share one bucket in Redis
        statuses = [
            (await _post(app, key, "{ viewer { keyName } }")).status_code
            for app in (first, second, first)
        ]
        assert statuses == [200] * BURST
        _assert_limited(await _post(second, key, "{ viewer { keyName } }"))
        _assert_limited(await _post(first, key, "{ viewer { keyName } }"))
        await asyncio.sleep(60 / PER_MINUTE + 0.05)
        assert (await _post(second, key, "{ viewer { keyName } }")).status_code == 200


@pytest.mark.redis
async def test_a_stale_timestamp_does_not_drain_the_redis_bucket(redis_url) -> None:
    """A hit stamped earlier than the last (another process's clock, a call that waited for a
    connection under load) takes its token and nothing more."""
    from redis.asyncio import Redis

    from domain.adapters.ratelimit import RedisRateLimiter

    stamps = iter([1000.0, 990.0, 990.0, 1000.0])
    limiter = RedisRateLimiter(
        Redis.from_url(redis_url),
        prefix=f"test-stale-{uuid.uuid4().hex}:",
        clock=lambda: next(stamps),
    )
    try:
        assert await limiter.hit("key", 60, 3) is None  # 1 token a second, 3 at once
        assert await limiter.hit("key", 60, 3) is None  # 10 s "earlier": still one token spent
        assert await limiter.hit("key", 60, 3) is None
        assert await limiter.hit("key", 60, 3) == pytest.approx(1.0)  # empty, clock not moved back
    finally:
        await limiter.aclose()
