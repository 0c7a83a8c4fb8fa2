"""HMAC-signed, expiring URLs: ``/files/<key>`` downloads and single-use ``/uploads/<id>`` PUTs.

A signature covers the purpose, the path subject, the expiry and (for uploads) a nonce, with a
key derived per purpose from the service secret, so a download signature never opens an upload.
Single use is enforced by the caller: it stores the upload nonce and consumes it on first use.
A verifier given ``max_lifetime`` also refuses a link whose expiry lies further ahead than any
link is issued for, so even a link signed with a leaked secret cannot be "permanent".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import time
from urllib.parse import quote, urlencode

#: Seconds a link's expiry may lie beyond the maximum lifetime (clocks of several servers).
CLOCK_SKEW = 60

_FILES = b"adreel/files/v1"
_UPLOADS = b"adreel/uploads/v1"


class InvalidSignature(Exception):
    """The signature does not match, is malformed, or has expired (``expired`` tells which)."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_nonce() -> str:
    """A fresh random nonce for a single-use upload URL."""
    return secrets.token_urlsafe(24)


def stable_expiry(now: float, ttl_seconds: int) -> int:
    """An expiry at least ``ttl_seconds/2`` and at most ``ttl_seconds`` ahead, on a grid.

    URLs signed within the same half-TTL window are identical, so browsers and CDNs can cache them.
    """
    step = max(1, ttl_seconds // 2)
    return int(math.floor(now / step) * step + ttl_seconds)


class UrlSigner:
    """Signs and verifies Adreel's URLs with keys derived from one secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a signing secret is required")
        root = secret.encode("utf-8")
        self._files_key = hmac.new(root, _FILES, hashlib.sha256).digest()
        self._uploads_key = hmac.new(root, _UPLOADS, hashlib.sha256).digest()

    @staticmethod
    def _mac(key: bytes, *parts: str) -> str:
        message = "\n".join(parts).encode("utf-8")
        return _b64(hmac.new(key, message, hashlib.sha256).digest())

    @staticmethod
    def _check(
        expected: str, given: str, expires_at: str, now: float | None, max_lifetime: int | None
    ) -> None:
        if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace")):
            raise InvalidSignature("signature does not match")
        current = time.time() if now is None else now
        if int(expires_at) < current:
            raise InvalidSignature("signature expired", expired=True)
        if max_lifetime is not None and int(expires_at) > current + max_lifetime + CLOCK_SKEW:
            raise InvalidSignature("expiry beyond the maximum lifetime of a link")

    @staticmethod
    def _expiry(expires_at: str) -> str:
        if not expires_at.isdigit() or len(expires_at) > 12:
            raise InvalidSignature("malformed expiry")
        return expires_at

    # downloads ----------

    def file_signature(self, key: str, expires_at: int) -> str:
        """The signature of a download of storage key ``key`` valid until ``expires_at``."""
        return self._mac(self._files_key, "GET", key, str(expires_at))

    def file_url(self, key: str, expires_at: int, *, base: str = "") -> str:
        """``{base}/files/<key>?exp=..&sig=..``."""
        query = urlencode({"exp": expires_at, "sig": self.file_signature(key, expires_at)})
        return f"{base.rstrip('/')}/files/{quote(key)}?{query}"

    def verify_file(
        self,
        key: str,
        expires_at: str,
        signature: str,
        *,
        now: float | None = None,
        max_lifetime: int | None = None,
    ) -> None:
        """Raise :class:`InvalidSignature` unless the download signature is valid and current
        (and, with ``max_lifetime``, expires no further ahead than a link is ever issued for)."""
        exp = self._expiry(expires_at)
        expected = self._mac(self._files_key, "GET", key, exp)
        self._check(expected, signature, exp, now, max_lifetime)

    # uploads ----------

    def upload_signature(self, asset_id: str, nonce: str, expires_at: int) -> str:
        """The signature of a PUT of ``asset_id`` with ``nonce``, valid until ``expires_at``."""
        return self._mac(self._uploads_key, "PUT", asset_id, str(expires_at), nonce)

    def upload_url(self, asset_id: str, nonce: str, expires_at: int, *, base: str = "") -> str:
        """``{base}/uploads/<asset_id>?exp=..&nonce=..&sig=..``."""
        query = urlencode(
            {
                "exp": expires_at,
                "nonce": nonce,
                "sig": self.upload_signature(asset_id, nonce, expires_at),
            }
        )
        return f"{base.rstrip('/')}/uploads/{quote(asset_id)}?{query}"

    def verify_upload(
        self,
        asset_id: str,
        nonce: str,
        expires_at: str,
        signature: str,
        *,
        now: float | None = None,
        max_lifetime: int | None = None,
    ) -> None:
        """Raise :class:`InvalidSignature` unless the upload signature is valid and current
        (and, with ``max_lifetime``, expires no further ahead than a link is ever issued for)."""
        exp = self._expiry(expires_at)
        expected = self._mac(self._uploads_key, "PUT", asset_id, exp, nonce)
        self._check(expected, signature, exp, now, max_lifetime)


__all__ = ["InvalidSignature", "UrlSigner", "new_nonce", "stable_expiry"]
