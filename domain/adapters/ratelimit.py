"""Token-bucket rate limiting: in memory (embedded) or in Redis (shared by every API process)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

LUA_TOKEN_BUCKET = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
-- A hit stamped before the last one (another process's clock, or a call that waited for a
-- connection) refills nothing and does not move the clock back: it never drains the bucket.
now = math.max(now, at)
tokens = math.min(burst, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', key, 'tokens', tokens, 'at', now)
redis.call('EXPIRE', key, math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class MemoryRateLimiter:
    """A token bucket per key in this process: ``per_minute`` sustained, ``burst`` at once."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._clock = clock

    async def hit(self, key: str, per_minute: int, burst: int) -> float | None:
        rate = per_minute / 60.0
        now = self._clock()
        tokens, at = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - at) * rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return None
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / rate

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisRateLimiter:
    """The same token bucket kept in Redis, updated atomically by a Lua script.

    When Redis cannot be reached the request is let through (and a warning logged): an outage of
    the limiter must not take the API down; ``/readyz`` reports it.
    """

    def __init__(
        self,
        redis: Any,
        prefix: str = "adreel:ratelimit:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._clock = clock
        self._script = redis.register_script(LUA_TOKEN_BUCKET)

    async def hit(self, key: str, per_minute: int, burst: int) -> float | None:
        try:
            wait = float(
                await self._script(
                    keys=[self._prefix + key], args=[per_minute / 60.0, burst, self._clock()]
                )
            )
        except RedisError as exc:
            log.warning("rate limiter unavailable, request let through: %s", exc)
            return None
        return wait if wait > 0 else None

    async def aclose(self) -> None:
        """Close the Redis connection pool."""
        await self._redis.aclose()
