"""X-Forwarded-* applied from trusted proxies only (the nearest proxy's value)."""

from __future__ import annotations

from typing import Any

from resolvers.proxy_headers import TrustedProxyHeaders

FORWARDED = [
    (b"host", b"10.0.0.5:8000"),
    (b"x-forwarded-proto", b"http, https"),
    (b"x-forwarded-host", b"evil.example, api.example.com"),
    (b"x-forwarded-for", b"1.2.3.4, 203.0.113.9"),
]


async def _seen(trusted: list[str], client: str, kind: str = "http") -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)

    scope: dict[str, Any] = {"type": kind, "scheme": "ws" if kind == "websocket" else "http"}
    scope.update(headers=list(FORWARDED), client=(client, 5000))
    await TrustedProxyHeaders(app, trusted)(scope, None, None)  # type: ignore[arg-type]
    return seen


async def test_a_trusted_proxy_sets_scheme_host_and_client() -> None:
    seen = await _seen(["10.0.0.0/8"], "10.1.2.3")
    assert seen["scheme"] == "https"
    assert (b"host", b"api.example.com") in seen["headers"]
    assert (b"host", b"10.0.0.5:8000") not in seen["headers"]
    assert seen["client"] == ("203.0.113.9", 0)
    websocket = await _seen(["10.0.0.0/8"], "10.1.2.3", "websocket")
    assert websocket["scheme"] == "wss"


async def test_anyone_else_is_ignored() -> None:
    seen = await _seen(["127.0.0.1", "::1"], "10.1.2.3")
    assert seen["scheme"] == "http"
    assert seen["headers"] == FORWARDED
    assert seen["client"] == ("10.1.2.3", 5000)


def test_trust_checks_addresses() -> None:
    proxies = TrustedProxyHeaders(lambda *a: None, ["127.0.0.1", "::1", "192.168.0.0/16"])  # type: ignore[arg-type]
    assert proxies.trusts("127.0.0.1") and proxies.trusts("::1")
    assert proxies.trusts("192.168.4.2")
    assert not proxies.trusts("10.0.0.1")
    assert not proxies.trusts("not-an-ip") and not proxies.trusts(None)
