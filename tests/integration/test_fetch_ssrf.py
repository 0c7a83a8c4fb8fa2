"""SSRF-safe fetching against local servers: the whole corpus of refused URLs, redirects,
DNS answers, endless and slow bodies, and TLS that keeps the hostname."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path
from typing import Any

import anyio
import pytest

from domain.adapters.fetch import (
    FetchConfig,
    FetchFailed,
    FetchTooLarge,
    UrlFetcher,
    UrlNotAllowed,
    loopback_exception,
)
from tests.support.http_server import make_tls, redirect, send, serve, stream_forever, trickle

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every outgoing connection and refuse any that is not loopback (safety net)."""
    seen: list[str] = []
    real = anyio.connect_tcp

    async def guarded(remote_host: Any, remote_port: int, **kwargs: Any) -> Any:
        seen.append(f"{remote_host}:{remote_port}")
        assert str(remote_host) == "127.0.0.1", f"test tried to reach {remote_host}"
        return await real(remote_host, remote_port, **kwargs)

    monkeypatch.setattr(anyio, "connect_tcp", guarded)
    return seen


def resolver_for(table: dict[str, list[str]], calls: list[str] | None = None) -> Any:
    """A getaddrinfo stand-in answering from ``table``."""

    def lookup(
        host: str, port: int, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ):
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "unknown host")
        out = []
        for address in table[host]:
            fam = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if fam == socket.AF_INET6 else (address, port)
            out.append((fam, socket.SOCK_STREAM, 6, "", sockaddr))
        return out

    return lookup


async def fetch(fetcher: UrlFetcher, url: str, max_bytes: int = 10_000_000) -> bytes:
    return b"".join([chunk async for chunk in fetcher.stream(url, max_bytes=max_bytes)])


def routes() -> dict[str, Any]:
    return {"/ok.png": lambda h: send(h, 200, PNG, Content_Type="image/png")}


async def test_allowed_server_is_fetched() -> None:
    with serve(routes()) as server:
        fetcher = UrlFetcher(loopback_exception(server.port))
        assert await fetch(fetcher, server.url("/ok.png")) == PNG
        assert server.requests[0][2]["accept-encoding"] == "identity"


async def test_default_policy_refuses_loopback_server(connections: list[str]) -> None:
    with serve(routes()) as server:
        fetcher = UrlFetcher(FetchConfig(allowed_ports=frozenset({server.port})))
        with pytest.raises(UrlNotAllowed):
            await fetch(fetcher, server.url("/ok.png"))
        with pytest.raises(UrlNotAllowed):
            await fetch(fetcher, server.url("/ok.png", host="localhost"))
        assert server.requests == []
    assert connections == []


CORPUS = [
    "http://127.0.0.1/logo.png",
    "http://127.0.0.1:80/logo.png",
    "http://[::1]/logo.png",
    "http://[::ffff:127.0.0.1]/logo.png",
    "http://10.0.0.1/logo.png",
    "http://192.168.1.10/logo.png",
    "http://100.64.0.1/logo.png",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[64:ff9b::7f00:1]/logo.png",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://[2002:7f00:1::]/logo.png",
    "http://[2002:a00:1::]/logo.png",
    "http://0.0.0.0/logo.png",
    "http://2130706433/logo.png",
    "http://0177.0.0.1/logo.png",
    "file:///etc/passwd",
    "ftp://example.com/logo.png",
    "gopher://example.com/",
    "http://example.com:8080/logo.png",
    "http://user:secret@example.com/logo.png",
    "not a url",
]


@pytest.mark.parametrize("url", CORPUS)
async def test_corpus_refused_without_connecting(url: str, connections: list[str]) -> None:
    fetcher = UrlFetcher(resolver=resolver_for({"example.com": ["93.184.215.14"]}))
    with pytest.raises(UrlNotAllowed) as err:
        await fetch(fetcher, url)
    assert err.value.code == "URL_NOT_ALLOWED"
    assert connections == []


@pytest.mark.parametrize(
    ("host", "answers"),
    [
        ("intranet.example", ["10.0.0.1"]),
        ("metadata.example", ["169.254.169.254"]),
        ("loop6.example", ["::1"]),
        ("nat64.example", ["64:ff9b::7f00:1"]),
        ("sixtofour.example", ["2002:7f00:1::"]),
        ("mapped.example", ["::ffff:10.0.0.1"]),
        ("mixed.example", ["93.184.215.14", "10.0.0.1"]),  # half private = rebinding signature
    ],
)
async def test_hostname_resolving_to_private_address(
    host: str, answers: list[str], connections: list[str]
) -> None:
    fetcher = UrlFetcher(resolver=resolver_for({host: answers}))
    with pytest.raises(UrlNotAllowed):
        await fetch(fetcher, f"http://{host}/logo.png")
    assert connections == []


async def test_unknown_host_is_fetch_failed() -> None:
    fetcher = UrlFetcher(resolver=resolver_for({}))
    with pytest.raises(FetchFailed):
        await fetch(fetcher, "http://nowhere.example/logo.png")


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/logo.png",
        "http://[::1]:{port}/ok.png",
        "http://[::ffff:127.0.0.1]:{port}/ok.png",
        "http://intranet.example:{port}/ok.png",
        "file:///etc/passwd",
        "http://127.0.0.1:1/ok.png",
    ],
)
async def test_public_url_redirecting_to_private(target: str, connections: list[str]) -> None:
    with serve({}) as server:
        location = target.format(port=server.port)
        server_routes = {"/go": lambda h: redirect(h, location)}
        with serve(server_routes) as public:
            config = FetchConfig(
                allowed_ports=frozenset({public.port, server.port}),
                allowed_networks=("127.0.0.1/32",),
            )
            table = {"cdn.example": ["127.0.0.1"], "intranet.example": ["10.0.0.1"]}
            fetcher = UrlFetcher(config, resolver=resolver_for(table))
            with pytest.raises(UrlNotAllowed):
                await fetch(fetcher, f"http://cdn.example:{public.port}/go")
            assert [r[1] for r in public.requests] == ["/go"]
        assert server.requests == []
    assert connections == [f"127.0.0.1:{public.port}"]


async def test_redirect_hops_are_capped_at_three() -> None:
    chain = {
        "/r1": lambda h: redirect(h, "/r2"),
        "/r2": lambda h: redirect(h, "/r3"),
        "/r3": lambda h: redirect(h, "/ok.png"),
        "/r0": lambda h: redirect(h, "/r1"),
        **routes(),
    }
    with serve(chain) as server:
        fetcher = UrlFetcher(loopback_exception(server.port))
        assert await fetch(fetcher, server.url("/r1")) == PNG  # three hops
        with pytest.raises(FetchFailed) as err:
            await fetch(fetcher, server.url("/r0"))  # four hops
        assert "redirect" in err.value.message


async def test_endless_body_is_cut_at_the_cap() -> None:
    with serve({"/forever": stream_forever}) as server:
        fetcher = UrlFetcher(loopback_exception(server.port))
        received = 0
        with pytest.raises(FetchTooLarge) as err:
            async for chunk in fetcher.stream(server.url("/forever"), max_bytes=2_000_000):
                received += len(chunk)
        assert err.value.code == "TOO_LARGE"
        assert received <= 2_000_000


async def test_declared_length_over_cap_refused_before_reading() -> None:
    big = {"/big": lambda h: send(h, 200, b"x" * 5000)}
    with serve(big) as server:
        fetcher = UrlFetcher(loopback_exception(server.port))
        got: list[bytes] = []
        with pytest.raises(FetchTooLarge):
            async for chunk in fetcher.stream(server.url("/big"), max_bytes=1000):
                got.append(chunk)
        assert got == []


async def test_slow_body_hits_the_total_timeout() -> None:
    with serve({"/slow": trickle}) as server:
        config = FetchConfig(
            allowed_ports=frozenset({server.port}),
            allowed_networks=("127.0.0.1/32",),
            timeout_seconds=1.0,
        )
        started = anyio.current_time()
        with pytest.raises(FetchFailed) as err:
            await fetch(UrlFetcher(config), server.url("/slow"))
        assert "timed out" in err.value.message
        assert err.value.retryable
        assert anyio.current_time() - started < 5


@pytest.mark.parametrize(
    ("status", "retryable"), [(404, False), (403, False), (503, True), (429, True)]
)
async def test_error_statuses(status: int, retryable: bool) -> None:
    with serve({"/x": lambda h: send(h, status, b"no")}) as server:
        with pytest.raises(FetchFailed) as err:
            await fetch(UrlFetcher(loopback_exception(server.port)), server.url("/x"))
        assert err.value.retryable is retryable


async def test_compressed_body_is_not_decoded() -> None:
    packed = gzip.compress(b"\x00" * 1_000_000)
    gz = {"/gz": lambda h: send(h, 200, packed, Content_Encoding="gzip")}
    with serve(gz) as server:
        body = await fetch(UrlFetcher(loopback_exception(server.port)), server.url("/gz"), 100_000)
        assert body == packed


async def test_https_keeps_hostname_for_sni_host_and_certificate(tmp_path: Path) -> None:
    server_tls, client_tls = make_tls(tmp_path, "assets.example")
    with serve(routes(), tls=server_tls) as server:
        calls: list[str] = []
        table = {"assets.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]}
        fetcher = UrlFetcher(
            loopback_exception(server.port), resolver=resolver_for(table, calls), verify=client_tls
        )
        url = f"https://assets.example:{server.port}/ok.png"
        assert await fetch(fetcher, url) == PNG
        assert server.sni[0] == "assets.example"
        assert server.requests[0][2]["host"] == f"assets.example:{server.port}"
        assert calls == ["assets.example"]  # one lookup, and the socket went to its answer
        # The certificate is checked against the hostname, not the pinned address.
        with pytest.raises(FetchFailed):
            await fetch(fetcher, f"https://other.example:{server.port}/ok.png")


async def test_rebinding_cannot_move_an_open_connection() -> None:
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    calls: list[str] = []

    def rebinding(host: str, port: int, *args: Any) -> Any:
        calls.append(host)
        return resolver_for({host: next(answers)})(host, port)

    with serve(routes()) as server:
        fetcher = UrlFetcher(loopback_exception(server.port), resolver=rebinding)
        assert await fetch(fetcher, f"http://rebind.example:{server.port}/ok.png") == PNG
        with pytest.raises(UrlNotAllowed):  # the record moved: the next connection is refused
            await fetch(fetcher, f"http://rebind.example:{server.port}/ok.png")
        assert calls == ["rebind.example", "rebind.example"]
        assert len(server.requests) == 1
