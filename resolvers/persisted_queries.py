"""Automatic persisted queries (Apollo's protocol): a client sends the SHA-256 of a query
instead of its text; unknown hashes answer ``PERSISTED_QUERY_NOT_FOUND`` (HTTP 200, so the
client retries with the text), and the text sent with its hash is kept for next time.

Queries are kept in a bounded in-memory LRU, and in Redis (with a TTL) when one is configured,
so every server process learns a query once.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from typing import Any, Protocol

from strawberry.http import GraphQLRequestData

from resolvers.http_errors import BAD_REQUEST, RequestError

log = logging.getLogger("adreel.graphql")

NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"  # the message Apollo's link looks for
HASH_MISMATCH_CODE = "PERSISTED_QUERY_HASH_MISMATCH"
REDIS_PREFIX = "adreel:apq:"


class QueryStore(Protocol):
    """Where persisted query texts are kept, by hash."""

    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, query: str) -> None: ...

    async def aclose(self) -> None: ...


#: Longer query texts are run but not kept (a registration cannot fill the cache with one entry).
MAX_QUERY_CHARS = 64 * 1024


class MemoryQueryStore:
    """The most recently used ``capacity`` queries of this process."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._queries: OrderedDict[str, str] = OrderedDict()

    async def get(self, digest: str) -> str | None:
        query = self._queries.get(digest)
        if query is not None:
            self._queries.move_to_end(digest)
        return query

    async def put(self, digest: str, query: str) -> None:
        self._queries[digest] = query
        self._queries.move_to_end(digest)
        while len(self._queries) > self.capacity:
            self._queries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._queries)

    async def aclose(self) -> None:
        self._queries.clear()


class RedisQueryStore:
    """A memory LRU in front of Redis (shared by every process; entries expire after ``ttl``).
    When Redis fails, the memory LRU alone answers."""

    def __init__(self, redis: Any, memory: MemoryQueryStore, ttl_seconds: int) -> None:
        self.redis = redis
        self.memory = memory
        self.ttl_seconds = ttl_seconds

    async def get(self, digest: str) -> str | None:
        query = await self.memory.get(digest)
        if query is not None:
            return query
        try:
            raw = await self.redis.get(REDIS_PREFIX + digest)
        except Exception as exc:
            log.warning("persisted queries: Redis unavailable (%s)", type(exc).__name__)
            return None
        if raw is None:
            return None
        query = raw.decode() if isinstance(raw, bytes) else str(raw)
        await self.memory.put(digest, query)
        return query

    async def put(self, digest: str, query: str) -> None:
        await self.memory.put(digest, query)
        try:
            await self.redis.set(REDIS_PREFIX + digest, query, ex=self.ttl_seconds)
        except Exception as exc:
            log.warning("persisted queries: Redis unavailable (%s)", type(exc).__name__)

    async def aclose(self) -> None:
        await self.memory.aclose()
        await self.redis.aclose()


def query_store(redis_url: str | None, capacity: int, ttl_seconds: int) -> QueryStore:
    """The store for a deployment: memory alone, or memory in front of Redis."""
    memory = MemoryQueryStore(capacity)
    if not redis_url:
        return memory
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    return RedisQueryStore(client, memory, ttl_seconds)


def sha256_hex(query: str) -> str:
    """The hash Apollo's clients send for a query text."""
    return hashlib.sha256(query.encode()).hexdigest()


async def resolve_persisted_query(store: QueryStore, data: GraphQLRequestData) -> None:
    """Fill in ``data.query`` from its hash, or register the query sent with its hash.

    Raises ``RequestError``: ``PERSISTED_QUERY_NOT_FOUND`` (200) for an unknown hash, 400 for an
    unsupported version or a hash that is not the query's.
    """
    extensions = data.extensions or {}
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return
    if not isinstance(persisted, dict):
        raise RequestError(400, BAD_REQUEST, "extensions.persistedQuery must be an object")
    if persisted.get("version") != 1:
        raise RequestError(400, BAD_REQUEST, "unsupported persisted query version (expected 1)")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise RequestError(
            400, BAD_REQUEST, "extensions.persistedQuery.sha256Hash must be a SHA-256 hex digest"
        )
    digest = digest.lower()
    if data.query is None:
        query = await store.get(digest)
        if query is None:
            raise RequestError(200, NOT_FOUND_CODE, NOT_FOUND_MESSAGE)
        data.query = query
        return
    if sha256_hex(data.query) != digest:
        raise RequestError(400, HASH_MISMATCH_CODE, "provided sha256Hash does not match query")
    if len(data.query) <= MAX_QUERY_CHARS:
        await store.put(digest, data.query)


__all__ = [
    "HASH_MISMATCH_CODE",
    "NOT_FOUND_CODE",
    "MemoryQueryStore",
    "QueryStore",
    "RedisQueryStore",
    "query_store",
    "resolve_persisted_query",
    "sha256_hex",
]
