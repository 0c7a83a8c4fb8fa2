"""The webhook sender port: POST a signed body to an endpoint, SSRF-safe, within a deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PostAnswer:
    """The endpoint's answer: its status and the first bytes of its body (never more)."""

    status: int
    body: bytes


class WebhookSender(Protocol):
    """Sends webhook requests; the URL-import fetcher is the one implementation."""

    def check_url(self, url: str) -> None:
        """Refuse (``UrlNotAllowed``) a URL that may never be called, without network access."""
        ...

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        headers: Mapping[str, str],
        timeout_seconds: float,
        connect_timeout_seconds: float,
        max_response_bytes: int,
    ) -> PostAnswer:
        """POST ``body`` within ``timeout_seconds`` (the connection within
        ``connect_timeout_seconds``); no redirect is followed. Raises ``UrlNotAllowed`` or
        ``FetchFailed``."""
        ...


__all__ = ["PostAnswer", "WebhookSender"]
