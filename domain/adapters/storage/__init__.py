"""Storage backends and the factory that picks one from settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from domain.adapters.storage.local import LocalStorage
from domain.ports.storage import Storage
from domain.settings import Settings

if TYPE_CHECKING:
    from domain.adapters.storage.s3 import S3Storage


def __getattr__(name: str) -> Any:
    # the S3 backend (and its SDK, slow to import) loads only when asked for
    if name == "S3Storage":
        from domain.adapters.storage.s3 import S3Storage

        return S3Storage
    raise AttributeError(name)


def storage_from_url(
    url: str | None,
    *,
    local_root: Path,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> Storage:
    """``None`` or ``file:`` -> local directory; ``s3://bucket/prefix`` -> S3-compatible bucket."""
    if not url:
        return LocalStorage(local_root)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStorage(Path(parts.path) if parts.path else local_root)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("storage URL s3://bucket/prefix needs a bucket")
        from domain.adapters.storage.s3 import S3Storage

        return S3Storage(
            parts.netloc,
            parts.path.strip("/"),
            endpoint_url=endpoint_url,
            region=region,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
        )
    raise ValueError(f"unsupported storage URL scheme {parts.scheme!r} (use s3:// or file:)")


def build_storage(settings: Settings) -> Storage:
    """The storage backend the settings ask for (``ADREEL_STORAGE_URL``, ``ADREEL_S3_*``)."""
    return storage_from_url(
        settings.storage_url,
        local_root=settings.storage_dir,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
    )


__all__ = ["LocalStorage", "S3Storage", "build_storage", "storage_from_url"]
