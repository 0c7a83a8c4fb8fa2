"""CORS: a browser app on another origin can call the API, files and uploads."""

from __future__ import annotations

import pytest

from domain.settings import Settings
from tests.conftest import new_key
from tests.support.asgi_app import serving, with_settings

APP_ORIGIN = "https://app.example.com"


def preflight(origin: str, method: str = "POST", headers: str = "authorization,content-type"):
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


@pytest.mark.parametrize("path", ["/graphql", "/files/a/b.png", "/uploads/abc"])
async def test_preflight_from_a_dev_server_on_any_loopback_port(http, path) -> None:
    for origin in ("http://localhost:5173", "http://127.0.0.1:3000", "http://localhost"):
        method = {"/graphql": "POST", "/uploads/abc": "PUT"}.get(path, "GET")
        response = await http.options(path, headers=preflight(origin, method))
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == origin
        assert method in response.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in response.headers


async def test_preflight_allows_apollo_and_upload_headers(http) -> None:
    asked = (
        "authorization,content-type,x-adreel-upload,apollo-require-preflight,"
        "apollographql-client-name,apollographql-client-version"
    )
    response = await http.options(
        "/graphql", headers=preflight("http://localhost:5173", headers=asked)
    )
    assert response.status_code == 200
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert set(asked.split(",")) <= allowed


async def test_unlisted_origin_is_refused(http) -> None:
    response = await http.options("/graphql", headers=preflight("https://evil.example"))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "CORS_REFUSED" and "origin" in error["message"]
    response = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_actual_response_exposes_request_id(api) -> None:
    response = await api.http.post(
        "/graphql",
        json={"query": "{ viewer { keyName } }"},
        headers={"Authorization": f"Bearer {api.key}", "Origin": "http://localhost:5173"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "x-request-id" in exposed and "retry-after" in exposed


async def test_production_allows_only_listed_origins(settings) -> None:
    production = with_settings(
        settings,
        env="production",
        secret_key="a-real-secret-for-this-test",
        cors_origins=[APP_ORIGIN],
    )
    async with serving(production) as (http, container):
        response = await http.options("/graphql", headers=preflight(APP_ORIGIN))
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == APP_ORIGIN
        response = await http.options("/graphql", headers=preflight("http://localhost:5173"))
        assert response.status_code == 400
        key = await new_key(container, "cors-org")
        response = await http.post(
            "/graphql",
            json={"query": "{ viewer { keyName } }"},
            headers={"Authorization": f"Bearer {key}", "Origin": APP_ORIGIN},
        )
        assert response.json() == {"data": {"viewer": {"keyName": "default"}}}
        assert response.headers["access-control-allow-origin"] == APP_ORIGIN


def test_origins_setting_reads_a_list_or_commas(monkeypatch) -> None:
    monkeypatch.setenv("ADREEL_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("ADREEL_CORS_ORIGINS", '["https://c.example"]')
    assert Settings().cors_origins == ["https://c.example"]
    monkeypatch.delenv("ADREEL_CORS_ORIGINS")
    assert Settings().cors_origins == []
