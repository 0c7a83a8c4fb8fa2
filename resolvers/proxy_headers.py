"""X-Forwarded-* headers believed only from trusted proxies.

Signed URLs are built from a request's own scheme and ``Host`` when ``ADREEL_PUBLIC_URL`` is
unset, so those must be the ones the client used. Behind a reverse proxy they are the proxy's
``X-Forwarded-Proto`` and ``X-Forwarded-Host`` (and the client address its ``X-Forwarded-For``);
those headers are applied here only when the connection comes from an address in
``ADREEL_TRUSTED_PROXIES`` (loopback by default), and the value the nearest proxy appended
(the last one) is used. From anyone else they are ignored, so a client cannot choose the host
written into the links the server hands out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _last(value: bytes) -> str:
    return value.decode("latin-1").split(",")[-1].strip()


class TrustedProxyHeaders:
    """ASGI middleware: scheme, host and client from X-Forwarded-* of trusted proxies only."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks: list[_Network] = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def trusts(self, host: str | None) -> bool:
        """Whether ``host`` (the connection's peer address) is a trusted proxy."""
        if not host:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and self.trusts(client[0] if client else None):
            scope = dict(scope)
            headers = dict(scope["headers"])
            proto = headers.get(b"x-forwarded-proto")
            if proto:
                secure = _last(proto).lower() in ("https", "wss")
                if scope["type"] == "websocket":
                    scope["scheme"] = "wss" if secure else "ws"
                else:
                    scope["scheme"] = "https" if secure else "http"
            host = headers.get(b"x-forwarded-host")
            if host and _last(host):
                value = _last(host).encode("latin-1")
                scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [
                    (b"host", value)
                ]
            forwarded_for = headers.get(b"x-forwarded-for")
            if forwarded_for and _last(forwarded_for):
                scope["client"] = (_last(forwarded_for), 0)
        await self.app(scope, receive, send)


__all__ = ["TrustedProxyHeaders"]
