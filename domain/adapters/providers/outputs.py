"""Copying a provider's output into a local file at once, and preparing local inputs for upload.

Hosted providers keep their outputs only for a while (Replicate deletes them after an hour), so
an output is downloaded as soon as the generation succeeds: through the SSRF-safe fetcher, only
from the hosts configured for that provider, under a byte cap, and checked by its magic bytes
before it is handed back. ``data:`` URIs (small outputs returned inline) are decoded under the
same cap.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from PIL import Image, ImageOps, UnidentifiedImageError

from domain.adapters.fetch import FetchFailed, FetchTooLarge, UrlFetcher, UrlNotAllowed
from domain.adapters.providers.errors import (
    PROVIDER_BAD_OUTPUT,
    PROVIDER_FAILED,
    PROVIDER_UNAVAILABLE,
    ProviderError,
)
from domain.assets.sniff import SNIFF_BYTES, Sniffed, UnsupportedMedia, sniff
from domain.enums import AssetKind
from domain.media.types import Size

_CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
}


def host_allowed(url: str, patterns: Sequence[str]) -> bool:
    """Whether ``url``'s host is one of ``patterns`` (``example.com`` exactly, ``*.example.com``
    for any subdomain)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return False
    for pattern in patterns:
        wanted = pattern.strip().lower().rstrip(".")
        if wanted.startswith("*."):
            if host.endswith(wanted[1:]) and len(host) > len(wanted) - 1:
                return True
        elif wanted and host == wanted:
            return True
    return False


def _partial(output: Path) -> Path:
    return output.with_name(f".{output.name}.{uuid.uuid4().hex[:8]}.partial")


async def write_chunks(chunks: AsyncIterator[bytes], output: Path, *, max_bytes: int) -> int:
    """Write ``chunks`` to ``output`` atomically (no partial file is ever left); returns the size."""
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = _partial(output)
    received = 0
    try:
        with temporary.open("wb") as handle:
            async for chunk in chunks:
                received += len(chunk)
                if received > max_bytes:
                    raise FetchTooLarge(max_bytes)
                handle.write(chunk)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    return received


def decode_data_uri(uri: str, *, max_bytes: int) -> bytes:
    """The bytes of a ``data:`` URI (base64 or percent-encoded), refusing more than ``max_bytes``."""
    header, sep, payload = uri.partition(",")
    if not sep or not header.lower().startswith("data:"):
        raise ValueError("not a data URI")
    if len(payload) > max_bytes * 4 // 3 + 16:
        raise FetchTooLarge(max_bytes)
    if header.lower().endswith(";base64"):
        try:
            data = base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("the data URI is not valid base64") from exc
    else:
        data = unquote_to_bytes(payload)
    if len(data) > max_bytes:
        raise FetchTooLarge(max_bytes)
    return data


def _atomic_write_bytes(data: bytes, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = _partial(output)
    try:
        temporary.write_bytes(data)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


def check_kind(path: Path, kind: AssetKind, *, provider: str) -> Sniffed:
    """The sniffed type of a downloaded output; unless it is a ``kind`` file, the file is removed
    and ``PROVIDER_BAD_OUTPUT`` raised."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    try:
        found = sniff(head)
    except UnsupportedMedia as exc:
        path.unlink(missing_ok=True)
        raise ProviderError(
            PROVIDER_BAD_OUTPUT,
            f"the output is not a usable file: {exc.message}",
            retryable=False,
            provider=provider,
        ) from exc
    if found.kind is not kind:
        path.unlink(missing_ok=True)
        raise ProviderError(
            PROVIDER_BAD_OUTPUT,
            f"the output is {found.content_type}, not an {kind.value.lower()}",
            retryable=False,
            provider=provider,
        )
    return found


async def save_output(
    fetcher: UrlFetcher,
    url: str,
    output: Path,
    *,
    kind: AssetKind,
    max_bytes: int,
    allowed_hosts: Sequence[str] | None,
    provider: str,
) -> Sniffed:
    """Copy the output at ``url`` (https URL on an allowed host, or a ``data:`` URI) to ``output``.

    Fetch failures become ``ProviderError``: a download that may work again (timeouts, resets,
    5xx) is retryable; an expired or missing output (404/410), a refused URL or an oversized
    body is not.
    """
    if url.startswith("data:"):
        try:
            data = decode_data_uri(url, max_bytes=max_bytes)
        except FetchTooLarge as exc:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                f"the output is larger than {max_bytes} bytes",
                retryable=False,
                provider=provider,
            ) from exc
        except ValueError as exc:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT, str(exc), retryable=False, provider=provider
            ) from exc
        _atomic_write_bytes(data, output)
    else:
        if allowed_hosts is not None and not host_allowed(url, allowed_hosts):
            host = urlsplit(url).hostname or "?"
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                f"the output is on {host[:100]!r}, which is not a configured delivery host",
                retryable=False,
                provider=provider,
            )
        try:
            await write_chunks(
                fetcher.stream(url, max_bytes=max_bytes), output, max_bytes=max_bytes
            )
        except FetchTooLarge as exc:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                f"the output is larger than {max_bytes} bytes",
                retryable=False,
                provider=provider,
            ) from exc
        except UrlNotAllowed as exc:
            raise ProviderError(
                PROVIDER_BAD_OUTPUT,
                f"the output URL was refused: {exc.message}",
                retryable=False,
                provider=provider,
            ) from exc
        except FetchFailed as exc:
            gone = any(f"answered {code}" in exc.message for code in (404, 410))
            raise ProviderError(
                PROVIDER_FAILED if gone else PROVIDER_UNAVAILABLE,
                ("the output has expired or is gone: " if gone else "the output download failed: ")
                + exc.message,
                retryable=bool(exc.retryable),
                provider=provider,
            ) from exc
    return check_kind(output, kind, provider=provider)


def fit_png(source: Path, output: Path, size: Size, *, max_pixels: int, provider: str) -> None:
    """Re-frame a downloaded picture to exactly ``size`` (cover, centred) and save it as PNG."""
    try:
        with Image.open(source, formats=["PNG", "JPEG", "WEBP"]) as opened:
            if opened.width * opened.height > max_pixels:
                raise ProviderError(
                    PROVIDER_BAD_OUTPUT,
                    f"the output is {opened.width}x{opened.height}, over the pixel limit",
                    retryable=False,
                    provider=provider,
                )
            upright = ImageOps.exif_transpose(opened)
            upright.load()
            picture = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ProviderError(
            PROVIDER_BAD_OUTPUT,
            f"the output image could not be read: {exc}",
            retryable=False,
            provider=provider,
        ) from exc
    framed = ImageOps.fit(picture, (size.width, size.height), Image.Resampling.LANCZOS)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.stem}.{uuid.uuid4().hex[:8]}.partial.png")
    try:
        framed.save(temporary, "PNG", compress_level=3)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


def content_type_of(path: Path) -> str:
    """The content type of a file Adreel wrote (by its magic bytes, else by its suffix)."""
    with contextlib.suppress(OSError, UnsupportedMedia), path.open("rb") as handle:
        return sniff(handle.read(SNIFF_BYTES)).content_type
    return _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def data_uri(path: Path) -> str:
    """``data:<type>;base64,...`` of a local file."""
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{content_type_of(path)};base64,{encoded}"


__all__ = [
    "check_kind",
    "content_type_of",
    "data_uri",
    "decode_data_uri",
    "fit_png",
    "host_allowed",
    "save_output",
    "write_chunks",
]
