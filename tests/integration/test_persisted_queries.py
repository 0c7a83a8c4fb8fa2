"""Automatic persisted queries (Apollo's protocol) over GET and POST, in memory and Redis."""

from __future__ import annotations

import json
import uuid

import pytest

from resolvers.persisted_queries import (
    MemoryQueryStore,
    RedisQueryStore,
    query_store,
    sha256_hex,
)

QUERY = "{ viewer { keyName } }"


def _extensions(digest: str, version: int = 1) -> dict[str, object]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


async def test_hash_only_then_registration_over_post_and_get(api) -> None:
    auth = {"Authorization": f"Bearer {api.key}"}
    query = QUERY + f" # {uuid.uuid4().hex}"  # a hash no other test registered
    digest = sha256_hex(query)
    hash_only = {"extensions": _extensions(digest)}
    response = await api.http.post("/graphql", json=hash_only, headers=auth)
    assert response.status_code == 200  # Apollo's link retries with the text on 200, not 400
    assert response.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    params = {"extensions": json.dumps(hash_only["extensions"])}
    response = await api.http.get("/graphql", params=params, headers={**auth, "Accept": "*/*"})
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    response = await api.http.post("/graphql", json={"query": query, **hash_only}, headers=auth)
    assert response.json() == {"data": {"viewer": {"keyName": "default"}}}
    response = await api.http.post("/graphql", json=hash_only, headers=auth)
    assert response.json() == {"data": {"viewer": {"keyName": "default"}}}
    response = await api.http.get("/graphql", params=params, headers=auth)
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"keyName": "default"}}}


async def test_wrong_hash_or_version_is_refused(api) -> None:
    auth = {"Authorization": f"Bearer {api.key}"}
    wrong = {"query": QUERY, "extensions": _extensions(sha256_hex("{ __typename }"))}
    response = await api.http.post("/graphql", json=wrong, headers=auth)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    response = await api.http.post(
        "/graphql", json={"extensions": _extensions(sha256_hex(QUERY))}, headers=auth
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    for bad in (
        _extensions(sha256_hex(QUERY), version=2),
        _extensions("abc"),
        {"persistedQuery": 1},
    ):
        response = await api.http.post(
            "/graphql", json={"query": QUERY, "extensions": bad}, headers=auth
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_memory_store_is_a_bounded_lru() -> None:
    store = MemoryQueryStore(capacity=2)
    await store.put("a", "A")
    await store.put("b", "B")
    assert await store.get("a") == "A"  # "a" is now the most recent
    await store.put("c", "C")
    assert len(store) == 2
    assert await store.get("b") is None
    assert await store.get("a") == "A" and await store.get("c") == "C"


@pytest.mark.redis
async def test_redis_store_is_shared_and_expires(redis_url) -> None:
    first = query_store(redis_url, capacity=10, ttl_seconds=60)
    second = query_store(redis_url, capacity=10, ttl_seconds=60)
    assert isinstance(first, RedisQueryStore) and isinstance(second, RedisQueryStore)
    digest = sha256_hex(f"{{ __typename }} # {uuid.uuid4().hex}")
    try:
        assert await second.get(digest) is None
        await first.put(digest, "{ __typename }")
        assert await second.get(digest) == "{ __typename }"  # another process learns it
        ttl = await first.redis.ttl("adreel:apq:" + digest)
        assert 0 < ttl <= 60
    finally:
        await first.redis.delete("adreel:apq:" + digest)
        await first.aclose()
        await second.aclose()


async def test_redis_down_falls_back_to_memory() -> None:
    from tests.support.redis_server import free_port

    store = query_store(f"redis://127.0.0.1:{free_port()}/0", capacity=10, ttl_seconds=60)
    try:
        assert await store.get("x" * 64) is None
        await store.put("y" * 64, "{ __typename }")
        assert await store.get("y" * 64) == "{ __typename }"
    finally:
        await store.aclose()
