"""The HTTP surface: GET and POST, GraphiQL, limits, production hardening, masking, health checks."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from tests.conftest import new_key
from tests.support.asgi_app import serving, with_settings
from tests.support.db import snapshot
from tests.support.graph import CREATE_CLIENT, create_client, error_codes
from tests.support.redis_server import free_port

# ---------------------------------------------------------------- GET, POST and GraphiQL


async def test_graphiql_in_a_browser(http) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_queries_over_get_but_not_mutations(api) -> None:
    headers = {"Authorization": f"Bearer {api.key}"}
    response = await api.http.get(
        "/graphql", params={"query": "{ viewer { keyName } }"}, headers=headers
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"keyName": "default"}}}
    mutation = 'mutation { createClient(input: {name: "Via GET"}) { client { id } } }'
    response = await api.http.get("/graphql", params={"query": mutation}, headers=headers)
    assert response.status_code in {400, 405}
    r = await api("{ clients(first: 5) { totalCount } }")
    assert r["data"]["clients"]["totalCount"] == 0


async def test_every_response_carries_a_request_id(api) -> None:
    response = await api.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {api.key}"}
    )
    assert len(response.headers["x-request-id"]) == 16


# ---------------------------------------------------------------- limits


async def test_query_depth_limit(api, settings) -> None:
    nested = "node { name client { " * 10
    query = "{ campaigns(first: 1) { edges { " + nested + "id" + " } }" * 10 + " } } }"
    r = await api(query)
    assert r["data"] is None
    assert "exceeds maximum operation depth" in r["errors"][0]["message"]
    shallow = "{ campaigns(first: 1) { edges { node { client { name } } } } }"
    assert "errors" not in await api(shallow)


async def test_alias_limit(api, settings) -> None:
    fields = " ".join(f"a{i}: __typename" for i in range(settings.max_aliases + 1))
    r = await api("{ " + fields + " }")
    assert r["data"] is None and "aliases" in r["errors"][0]["message"]
    fields = " ".join(f"a{i}: __typename" for i in range(settings.max_aliases))
    assert "errors" not in await api("{ " + fields + " }")


async def test_token_limit(api, settings) -> None:
    fields = " ".join("__typename" for _ in range(settings.max_tokens))
    r = await api("{ " + fields + " }")
    assert r["data"] is None and "token" in r["errors"][0]["message"].lower()


async def test_graphiql_introspection_fits_the_limits(api) -> None:
    r = await api(
        get_introspection_query(descriptions=True, input_value_deprecation=True), key=None
    )
    assert "errors" not in r and r["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_body_size_limit(api, container, settings) -> None:
    before = await snapshot(container.engine)
    headers = {"Authorization": f"Bearer {api.key}"}
    big = {"query": CREATE_CLIENT, "variables": {"input": {"name": "x" * settings.max_body_bytes}}}
    response = await api.http.post("/graphql", json=big, headers=headers)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_LARGE"

    async def chunks():  # no Content-Length: counted while streaming
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"y" * 65536
        yield b'"}}'

    response = await api.http.post(
        "/graphql", content=chunks(), headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert await snapshot(container.engine) == before


# ---------------------------------------------------------------- production hardening


async def test_production_has_no_introspection_and_no_graphiql(settings) -> None:
    production = with_settings(settings, env="production", secret_key="a-real-secret-for-this-test")
    async with serving(production) as (http, container):
        key = await new_key(container, "prod-org")
        auth = {"Authorization": f"Bearer {key}"}
        response = await http.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == 404
        assert "graphiql" not in response.text.lower()
        response = await http.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}, headers=auth
        )
        body = response.json()
        assert body.get("data") is None and "introspection" in body["errors"][0]["message"].lower()
        response = await http.post(
            "/graphql", json={"query": "{ viewer { keyName } }"}, headers=auth
        )
        assert response.json() == {"data": {"viewer": {"keyName": "default"}}}


def test_production_refuses_the_development_secret(settings) -> None:
    with pytest.raises(ValueError, match="ADREEL_SECRET_KEY"):
        with_settings(settings, env="production")


# ---------------------------------------------------------------- masking


async def test_internal_errors_are_masked_and_logged(api, monkeypatch, caplog) -> None:
    from domain.services import clients as service

    def explode(*_: Any, **__: Any) -> Any:
        raise RuntimeError("password=hunter2 in a stack trace")

    monkeypatch.setattr(service, "clients_query", explode)
    caplog.set_level(logging.ERROR, logger="adreel.graphql")
    response = await api.http.post(
        "/graphql",
        json={"query": "{ clients(first: 1) { totalCount } }"},
        headers={"Authorization": f"Bearer {api.key}"},
    )
    body = response.json()
    request_id = response.headers["x-request-id"]
    assert "hunter2" not in response.text
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert request_id in error["message"]
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and "hunter2" in str(logged[0].exc_info[1])


async def test_expected_errors_are_not_logged_as_faults(api, caplog) -> None:
    caplog.set_level(logging.INFO)
    await api("{ viewer { keyName } }", key=None)  # no key
    await api("{ clients(first: 0) { totalCount } }")  # user error in a query
    await api("{ clients(first: 1) { nope } }")  # validation error
    await api(CREATE_CLIENT, {"input": {"name": ""}})  # user error in a payload
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_domain_errors_in_queries_keep_their_code(api) -> None:
    r = await api("{ clients(first: 0) { totalCount } }")
    assert error_codes(r) == ["INVALID"] and r["errors"][0]["extensions"]["field"] == "first"


# ---------------------------------------------------------------- health


async def test_healthz_and_readyz(http, settings) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.redis
async def test_readyz_checks_redis_when_configured(settings, redis_url) -> None:
    async with serving(with_settings(settings, redis_url=redis_url)) as (http, _):
        response = await http.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_readyz_reports_an_unreachable_redis(settings, container) -> None:
    """Redis configured but down: not ready (503), and requests still pass the rate limiter."""
    from server import create_app

    dead = with_settings(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    container.queue = _NoQueue()
    app = create_app(dead, container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://adreel.test") as http:
            response = await http.get("/readyz")
            assert response.status_code == 503
            checks = response.json()["checks"]
            assert checks["database"] == "ok" and checks["redis"].startswith("error")
            key = await new_key(container, "limiter-down")
            r = await http.post(
                "/graphql",
                json={"query": "{ viewer { keyName } }"},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert r.status_code == 200 and r.json()["data"]["viewer"]["keyName"] == "default"


class _NoQueue:
    """A queue that is never used (keeps the wiring from connecting to the dead Redis)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def enqueue(self, task: str, **_: Any) -> None:
        raise AssertionError("no task expected")


async def test_creating_through_the_api_works_end_to_end(api) -> None:
    client = await create_client(api, "Roundtrip", website="https://example.com", industry="Coffee")
    r = await api(
        "query($id: ID!) { node(id: $id) { ... on Client { name website industry brandColors stats { campaignCount } } } }",
        {"id": client},
    )
    assert r["data"]["node"] == {
        "name": "Roundtrip",
        "website": "https://example.com",
        "industry": "Coffee",
        "brandColors": [],
        "stats": {"campaignCount": 0},
    }
