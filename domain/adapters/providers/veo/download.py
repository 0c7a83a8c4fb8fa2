"""Downloading a finished Veo video without sending the API key anywhere but its own origin."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from domain.adapters.fetch import FetchTooLarge, UrlFetcher
from domain.adapters.providers import outputs
from domain.adapters.providers.errors import (
    PROVIDER_BAD_OUTPUT,
    PROVIDER_FAILED,
    PROVIDER_UNAVAILABLE,
    TIMEOUT,
    ProviderError,
    classify_status,
)
from domain.adapters.providers.http import error_details
from domain.adapters.providers.veo.config import PROVIDER, VeoConfig
from domain.enums import AssetKind


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


async def download_video(
    api: httpx.AsyncClient,
    video: Mapping[str, Any],
    output: Path,
    *,
    config: VeoConfig,
    fetcher: UrlFetcher,
) -> None:
    """Write the video to ``output``: inline bytes decoded, a file on the API origin fetched with
    the key, a file anywhere else fetched without it through the SSRF-safe fetcher."""
    cap = config.max_video_bytes
    inline = video.get("bytesBase64Encoded") or video.get("encodedVideo")
    if isinstance(inline, str):
        if len(inline) > cap * 4 // 3 + 16:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                f"the video is larger than {cap} bytes",
                retryable=False,
                provider=PROVIDER,
            )
        try:
            data = base64.b64decode(inline)
        except (binascii.Error, ValueError) as exc:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                "the inline video is not base64",
                retryable=False,
                provider=PROVIDER,
            ) from exc

        async def one() -> AsyncIterator[bytes]:
            yield data

        await outputs.write_chunks(one(), output, max_bytes=cap)
        outputs.check_kind(output, AssetKind.VIDEO, provider=PROVIDER)
        return
    uri = video.get("uri")
    if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
        raise ProviderError(
            PROVIDER_BAD_OUTPUT,
            "the video has no download URI",
            retryable=False,
            provider=PROVIDER,
        )
    if _origin(uri) != _origin(config.base_url):
        await outputs.save_output(
            fetcher,
            uri,
            output,
            kind=AssetKind.VIDEO,
            max_bytes=cap,
            allowed_hosts=None,
            provider=PROVIDER,
        )
        return
    try:
        async with api.stream("GET", uri) as response:
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise ProviderError(
                        PROVIDER_BAD_OUTPUT,
                        "a redirect without a location",
                        retryable=True,
                        provider=PROVIDER,
                    )
                target = urljoin(uri, location)
            else:
                target = None
                if response.status_code >= 400:
                    await response.aread()
                    message, code = error_details(response)
                    if response.status_code in (404, 410):
                        raise ProviderError(
                            PROVIDER_FAILED,
                            f"the video is gone: {message}",
                            retryable=False,
                            provider=PROVIDER,
                            status=response.status_code,
                        )
                    raise classify_status(
                        response.status_code,
                        message,
                        provider=PROVIDER,
                        headers=response.headers,
                        error_code=code,
                    )
                try:
                    await outputs.write_chunks(response.aiter_raw(), output, max_bytes=cap)
                except FetchTooLarge as exc:
                    raise ProviderError(
                        PROVIDER_BAD_OUTPUT,
                        f"the video is larger than {cap} bytes",
                        retryable=False,
                        provider=PROVIDER,
                    ) from exc
    except httpx.TimeoutException as exc:
        raise ProviderError(
            TIMEOUT, "the video download timed out", retryable=True, provider=PROVIDER
        ) from exc
    except httpx.TransportError as exc:
        raise ProviderError(
            PROVIDER_UNAVAILABLE, "the video download failed", retryable=True, provider=PROVIDER
        ) from exc
    if target is not None:  # stored elsewhere: fetched without the key, SSRF-safe
        await outputs.save_output(
            fetcher,
            target,
            output,
            kind=AssetKind.VIDEO,
            max_bytes=cap,
            allowed_hosts=None,
            provider=PROVIDER,
        )
        return
    outputs.check_kind(output, AssetKind.VIDEO, provider=PROVIDER)


__all__ = ["download_video"]
