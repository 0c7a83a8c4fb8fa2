"""Serving stored files: signed download URLs."""

from __future__ import annotations

from domain.ports.storage import Storage
from domain.security.signing import UrlSigner, stable_expiry
from domain.settings import Settings


async def signed_file_url(
    storage: Storage,
    settings: Settings,
    key: str,
    content_type: str | None,
    filename: str | None,
    *,
    base: str,
    now: float,
) -> str:
    """A download URL for a stored object: presigned by the bucket when configured and
    available, else a signed ``/files/...`` URL under ``base`` (this server's external base URL,
    from the setting or the request), stable within half its TTL."""
    ttl = settings.file_url_ttl_seconds
    if settings.storage_presign_downloads:
        direct = await storage.presign_get(
            key, expires_in=ttl, content_type=content_type, filename=filename
        )
        if direct:
            return direct
    signer = UrlSigner(settings.secret_key)
    return signer.file_url(key, stable_expiry(now, ttl), base=base)


__all__ = ["signed_file_url"]
