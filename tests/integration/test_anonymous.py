"""Callers without a key get no work done: refused before parsing or validation, rate limited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from domain.bootstrap import build_container
from domain.settings import Settings
from tests.conftest import new_key
from tests.unit.test_document_limits import doubling


@asynccontextmanager
async def serving(settings: Settings, **changes: Any) -> AsyncIterator[tuple[Any, Any]]:
    """The app for ``settings`` with ``changes``, and a factory of clients from an address."""
    from server import create_app

    settings = Settings(**{**settings.model_dump(), **changes})
    container = await build_container(settings, migrate=True)
    app = create_app(settings, container)

    def client(address: str = "203.0.113.7") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://adreel.test")

    try:
        async with app.router.lifespan_context(app):
            yield client, container
    finally:
        await container.close()


def _code(response: httpx.Response) -> str:
    body = response.json()
    assert body["data"] is None, body
    return str(body["errors"][0]["extensions"]["code"])


async def test_no_key_is_refused_before_validation(settings) -> None:
    async with serving(settings) as (client, _):
        async with client() as http:
            # not validated: a field that does not exist is not reported, the key is
            response = await http.post("/graphql", json={"query": "{ nope { nothing } }"})
            assert response.status_code == 401 and _code(response) == "UNAUTHENTICATED"
            # not validated: a document standing for 2**30 fields costs nothing
            response = await http.post("/graphql", json={"query": doubling(30)})
            assert response.status_code == 401 and _code(response) == "UNAUTHENTICATED"
            # introspection alone is still answered without a key outside production
            response = await http.post(
                "/graphql", json={"query": "{ __schema { queryType { name } } }"}
            )
            assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_no_key_is_refused_before_parsing_in_production(settings) -> None:
    async with serving(settings, env="production", secret_key="a-real-secret") as (client, _):
        async with client() as http:
            response = await http.post("/graphql", json={"query": "{ this is not graphql"})
            assert response.status_code == 401 and _code(response) == "UNAUTHENTICATED"
            response = await http.post("/graphql", json={"query": "{ __typename }"})
            assert response.status_code == 401 and _code(response) == "UNAUTHENTICATED"
            bad = {"Authorization": "Bearer adr_00000000_" + "x" * 43}
            response = await http.post("/graphql", json={"query": "{ {"}, headers=bad)
            assert response.status_code == 401 and response.json()["errors"][0]["message"] == (
                "invalid API key"
            )


async def test_requests_without_a_key_are_rate_limited_per_address(settings) -> None:
    limits = {"anonymous_rate_limit_burst": 3, "anonymous_rate_limit_per_minute": 6}
    async with serving(settings, **limits) as (client, container):
        key = await new_key(container, "keyed")
        async with client("203.0.113.7") as http, client("198.51.100.9") as other:
            for _ in range(3):
                response = await http.post("/graphql", json={"query": "{ __typename }"})
                assert response.status_code == 200
            response = await http.post("/graphql", json={"query": "{ __typename }"})
            assert response.status_code == 429 and _code(response) == "RATE_LIMITED"
            assert response.headers["Retry-After"] == "10"
            # a wrong key counts as no key
            bad = {"Authorization": "Bearer adr_00000000_" + "x" * 43}
            response = await http.post("/graphql", json={"query": "{ {"}, headers=bad)
            assert response.status_code == 429
            # another address has its own budget; a valid key is counted on the key's budget
            response = await other.post("/graphql", json={"query": "{ __typename }"})
            assert response.status_code == 200
            auth = {"Authorization": f"Bearer {key}"}
            response = await http.post(
                "/graphql", json={"query": "{ viewer { keyName } }"}, headers=auth
            )
            assert response.json() == {"data": {"viewer": {"keyName": "default"}}}


@pytest.mark.parametrize("query", ["{ viewer { keyName } }", "{ {"])
async def test_a_key_over_its_limit_is_refused_before_parsing(settings, query) -> None:
    async with serving(settings, rate_limit_burst=1, rate_limit_per_minute=1) as (
        client,
        container,
    ):
        key = await new_key(container, "limited")
        auth = {"Authorization": f"Bearer {key}"}
        async with client() as http:
            await http.post("/graphql", json={"query": "{ __typename }"}, headers=auth)
            response = await http.post("/graphql", json={"query": query}, headers=auth)
            assert response.status_code == 429 and _code(response) == "RATE_LIMITED"
