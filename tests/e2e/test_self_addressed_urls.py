"""Signed URLs address the server the client reached: its own scheme, host and port unless
``ADREEL_PUBLIC_URL`` is set; X-Forwarded-* believed only from ``ADREEL_TRUSTED_PROXIES``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.support.jobs import seed_job

CREATE_UPLOAD = """mutation($i: CreateAssetUploadInput!) {
  createAssetUpload(input: $i) { uploadUrl userErrors { code message } }
}"""
CREATE_CLIENT = "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }"


async def upload_url(base_url: str, key: str, headers: dict[str, str] | None = None) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:

        async def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {key}", **(headers or {})},
            )
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body
            data: dict[str, Any] = body["data"]
            return data

        client = await call(CREATE_CLIENT, {"i": {"name": "Uploads"}})
        client_id = client["createClient"]["client"]["id"]
        variables = {
            "i": {
                "clientId": client_id,
                "filename": "a.png",
                "contentType": "image/png",
                "byteSize": 10,
            }
        }
        created = await call(CREATE_UPLOAD, variables)
        payload = created["createAssetUpload"]
        assert payload["userErrors"] == [], payload
        return str(payload["uploadUrl"])


async def test_urls_use_the_port_the_server_runs_on(live_api) -> None:
    async with live_api() as live:
        job = await seed_job(live.container.session_factory)
        url = urlsplit(await upload_url(live.base_url, job.key))
    assert f"{url.scheme}://{url.netloc}" == live.base_url
    assert url.path.startswith("/uploads/")


async def test_the_public_url_setting_wins(live_api) -> None:
    async with live_api(public_url="https://media.example.com/adreel/") as live:
        job = await seed_job(live.container.session_factory)
        url = await upload_url(live.base_url, job.key, {"X-Forwarded-Host": "evil.example"})
    assert url.startswith("https://media.example.com/adreel/uploads/")


async def test_forwarded_headers_from_a_trusted_proxy_are_honoured(live_api) -> None:
    async with live_api() as live:  # loopback (this test) is trusted by default
        job = await seed_job(live.container.session_factory)
        headers = {"X-Forwarded-Host": "api.example.com", "X-Forwarded-Proto": "https"}
        url = await upload_url(live.base_url, job.key, headers)
    assert url.startswith("https://api.example.com/uploads/")


async def test_a_spoofed_forwarded_host_from_an_untrusted_client_is_ignored(live_api) -> None:
    async with live_api(trusted_proxies=["10.1.2.3"]) as live:
        job = await seed_job(live.container.session_factory)
        url = await upload_url(live.base_url, job.key, {"X-Forwarded-Host": "evil.example"})
    assert url.startswith(f"{live.base_url}/uploads/")
