"""JSON requests to a hosted provider's API, with every failure classified at this boundary.

The API base URLs are the operator's own configuration (not user input), so API requests use a
plain HTTP client; anything a provider *returns* as a URL is downloaded through the SSRF-safe
fetcher instead (see ``outputs``). Environment proxies are ignored so behaviour does not depend
on the process environment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from domain.adapters.providers.errors import (
    PROVIDER_BAD_OUTPUT,
    PROVIDER_UNAVAILABLE,
    TIMEOUT,
    ProviderError,
    classify_status,
)

USER_AGENT = "Adreel"


def api_client(
    base_url: str,
    headers: Mapping[str, str],
    *,
    timeout_seconds: float,
    connect_timeout_seconds: float = 10.0,
) -> httpx.AsyncClient:
    """A client for one provider API (open it per operation, close it after)."""
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/"),
        headers={"User-Agent": USER_AGENT, **headers},
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
        trust_env=False,
        follow_redirects=False,
    )


def error_details(response: httpx.Response) -> tuple[str, str]:
    """(message, provider error code) from an error body of any of the common shapes.

    OpenAI-style ``{"error": {"message", "code", "type"}}``, Google-style ``{"error": {"code",
    "message", "status"}}``, problem details ``{"title", "detail"}`` (Replicate), ElevenLabs'
    ``{"detail": {"status", "message"}}``, or plain text.
    """
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return response.text[:500].strip(), ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = str(error.get("message") or error.get("detail") or "")
            code = error.get("code")
            status = error.get("status")
            kind = error.get("type")
            codes = [str(c) for c in (code, status, kind) if isinstance(c, str) and c]
            return message, " ".join(codes)
        if isinstance(error, str):
            return error, ""
        detail = body.get("detail")
        if isinstance(detail, dict):
            status = detail.get("status")
            code = status if isinstance(status, str) else ""
            return str(detail.get("message") or code), code
        title = body.get("title")
        parts = [str(p) for p in (title, detail) if isinstance(p, str) and p]
        invalid = body.get("invalid_fields")
        if isinstance(invalid, list) and invalid:
            parts.append("invalid fields: " + json.dumps(invalid)[:300])
        if parts:
            return ": ".join(parts), ""
    return json.dumps(body)[:500], ""


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    provider: str,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
    files: Any = None,
) -> httpx.Response:
    """Send one request; an error status or a transport failure becomes a ``ProviderError``."""
    try:
        response = await client.request(
            method, url, json=json_body, headers=dict(headers or {}), files=files
        )
    except httpx.TimeoutException as exc:
        raise ProviderError(
            TIMEOUT,
            f"the request timed out ({type(exc).__name__})",
            retryable=True,
            provider=provider,
        ) from exc
    except httpx.TransportError as exc:
        raise ProviderError(
            PROVIDER_UNAVAILABLE,
            f"the provider could not be reached ({type(exc).__name__})",
            retryable=True,
            provider=provider,
        ) from exc
    if response.status_code >= 400:
        message, code = error_details(response)
        raise classify_status(
            response.status_code,
            message,
            provider=provider,
            headers=response.headers,
            error_code=code,
        )
    return response


def json_of(response: httpx.Response, *, provider: str) -> dict[str, Any]:
    """The JSON object of a successful answer (anything else is ``PROVIDER_BAD_OUTPUT``)."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProviderError(
            PROVIDER_BAD_OUTPUT,
            f"the answer (HTTP {response.status_code}) is not JSON",
            retryable=True,
            provider=provider,
            status=response.status_code,
        ) from exc
    if not isinstance(body, dict):
        raise ProviderError(
            PROVIDER_BAD_OUTPUT,
            "the answer is not a JSON object",
            retryable=True,
            provider=provider,
            status=response.status_code,
        )
    return body


async def send_json(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    provider: str,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
    files: Any = None,
) -> dict[str, Any]:
    """:func:`send`, then the answer's JSON object."""
    response = await send(
        client, method, url, provider=provider, json_body=json_body, headers=headers, files=files
    )
    return json_of(response, provider=provider)


__all__ = ["USER_AGENT", "api_client", "error_details", "json_of", "send", "send_json"]
