"""SSRF-safe downloads of user-supplied URLs.

Built on ssrfguard's httpx client, which checks every connection at the socket seam: the URL
(scheme http/https, allowed ports, no credentials, no encoded hosts), then every DNS answer
(non-global addresses, IPv4-mapped / NAT64 / 6to4 / Teredo wrappers decoded, cloud metadata
addresses), and then connects to the very address it checked, so DNS rebinding cannot slip in.
Redirect hops are new requests and pass through the same seam; the policy counts them. TLS still
verifies the certificate and sends SNI for the hostname, not the address.

This module adds what the import needs on top: a byte cap enforced while streaming, a total
deadline over the whole download, no content decoding (so a compressed body cannot expand in
memory), and translation of every failure into a typed ``DomainError``.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import NoReturn

import anyio
import httpx
from ssrfguard import Policy, Resolver, SSRFGuardError, TooManyRedirectsError
from ssrfguard.httpx import AsyncClient

from domain.errors import DomainError, ErrorCode
from domain.ports.webhooks import PostAnswer

_FIELD = ["url"]


class UrlNotAllowed(DomainError):
    """The URL, or an address it resolves or redirects to, is not one Adreel may fetch."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.URL_NOT_ALLOWED, message, _FIELD)


class FetchFailed(DomainError):
    """The download did not complete; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(ErrorCode.FETCH_FAILED, message, _FIELD)
        self.retryable = retryable


class FetchTooLarge(DomainError):
    """The body passed the byte cap (refused while streaming, or up front by Content-Length)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            ErrorCode.TOO_LARGE,
            f"the download is larger than the limit of {max_bytes} bytes",
            _FIELD,
        )
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class FetchConfig:
    """What a fetch may reach and how long it may take."""

    allowed_ports: frozenset[int] = frozenset({80, 443})
    max_redirects: int = 3
    timeout_seconds: float = 120.0
    connect_timeout_seconds: float = 10.0
    #: Networks allowed even though non-global: only for deliberate exceptions (and tests).
    allowed_networks: tuple[str, ...] = field(default=())
    user_agent: str = "Adreel asset import"
    read_chunk_bytes: int = 256 * 1024

    def policy(self) -> Policy:
        """The ssrfguard policy this configuration stands for."""
        return Policy(
            allowed_ports=self.allowed_ports,
            allowed_networks=tuple(self.allowed_networks),  # type: ignore[arg-type]
            max_redirects=self.max_redirects,
        )


class UrlFetcher:
    """Streams the body of a user-supplied URL, refusing anything the policy does not allow."""

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        resolver: Resolver | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.config = config or FetchConfig()
        self._policy = self.config.policy()
        self._resolver = resolver
        self._verify = verify

    def check_url(self, url: str) -> None:
        """Refuse a URL that can be judged without any network access (scheme, port, host shape)."""
        if len(url) > 4096:
            raise UrlNotAllowed("the URL is too long")
        try:
            self._policy.check_url(url)
        except SSRFGuardError as exc:
            raise UrlNotAllowed(str(exc)) from exc
        except ValueError as exc:
            raise UrlNotAllowed(f"not a valid URL: {exc}") from exc

    def _client(self) -> AsyncClient:
        timeout = httpx.Timeout(
            self.config.timeout_seconds, connect=self.config.connect_timeout_seconds
        )
        return AsyncClient(
            policy=self._policy,
            resolver=self._resolver,
            verify=self._verify,
            trust_env=False,
            follow_redirects=True,
            timeout=timeout,
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "identity"},
        )

    async def stream(self, url: str, *, max_bytes: int) -> AsyncIterator[bytes]:
        """Yield the body of ``url`` in chunks (raw bytes, no content decoding).

        Raises ``UrlNotAllowed``, ``FetchTooLarge`` or ``FetchFailed``; the whole download,
        redirects included, must finish within ``config.timeout_seconds``.
        """
        self.check_url(url)
        deadline = anyio.current_time() + self.config.timeout_seconds

        def remaining() -> float:
            left = deadline - anyio.current_time()
            if left <= 0:
                raise FetchFailed("the download timed out", retryable=True)
            return left

        async with self._client() as client:
            try:
                with anyio.fail_after(remaining()):
                    response = await client.send(client.build_request("GET", url), stream=True)
            except TimeoutError as exc:
                raise FetchFailed("the download timed out", retryable=True) from exc
            except Exception as exc:
                _reraise(exc)
            try:
                _check_response(response, max_bytes)
                received = 0
                chunks = response.aiter_raw(self.config.read_chunk_bytes)
                while True:
                    try:
                        with anyio.fail_after(remaining()):
                            chunk = await anext(chunks)
                    except StopAsyncIteration:
                        break
                    except TimeoutError as exc:
                        raise FetchFailed("the download timed out", retryable=True) from exc
                    except Exception as exc:
                        _reraise(exc)
                    received += len(chunk)
                    if received > max_bytes:
                        raise FetchTooLarge(max_bytes)
                    yield chunk
            finally:
                with anyio.CancelScope(shield=True):
                    await response.aclose()

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
        """POST ``body`` to ``url`` under the same policy (webhook deliveries use this).

        No redirect is followed (a 3xx is the answer); the connection must be made within
        ``connect_timeout_seconds`` and the whole exchange finish within ``timeout_seconds``; at most ``max_response_bytes`` of the answer are read. Raises
        ``UrlNotAllowed`` or ``FetchFailed``; any HTTP status is returned, not raised.
        """
        self.check_url(url)
        received = bytearray()
        async with self._client() as client:
            try:
                with anyio.fail_after(timeout_seconds):
                    request = client.build_request(
                        "POST", url, content=body, headers=headers,
                        timeout=httpx.Timeout(
                            timeout_seconds, connect=min(connect_timeout_seconds, timeout_seconds)
                        ),
                    )  # fmt: skip
                    response = await client.send(request, stream=True, follow_redirects=False)
                    try:
                        async for chunk in response.aiter_raw(max(1, max_response_bytes)):
                            received += chunk
                            if len(received) >= max_response_bytes:
                                break
                    finally:
                        with anyio.CancelScope(shield=True):
                            await response.aclose()
            except TimeoutError as exc:
                raise FetchFailed("the endpoint did not answer in time", retryable=True) from exc
            except Exception as exc:
                _reraise(exc)
        return PostAnswer(response.status_code, bytes(received[:max_response_bytes]))


def _check_response(response: httpx.Response, max_bytes: int) -> None:
    status = response.status_code
    if status >= 300:
        if 300 <= status < 400:
            raise FetchFailed(f"the server answered {status} without a usable redirect")
        raise FetchFailed(
            f"the server answered {status}", retryable=status >= 500 or status in (408, 429)
        )
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise FetchTooLarge(max_bytes)


def _reraise(exc: Exception) -> NoReturn:
    """Raise the domain error for ``exc``, or ``exc`` itself when it is not a fetch failure."""
    translated = _translate(exc)
    if translated is None or translated is exc:
        raise exc
    raise translated from exc


def _translate(exc: Exception) -> DomainError | None:
    """Map ssrfguard/httpx/socket failures to domain errors; ``None`` for anything else."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, TooManyRedirectsError):
        return FetchFailed(f"too many redirects: {exc}")
    if isinstance(exc, SSRFGuardError):
        return UrlNotAllowed(str(exc))
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchFailed("too many redirects")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return UrlNotAllowed(f"unsupported URL scheme: {exc}")
    if isinstance(exc, httpx.InvalidURL):
        return UrlNotAllowed(f"not a valid URL: {exc}")
    if isinstance(exc, httpx.TimeoutException):
        return FetchFailed("the download timed out", retryable=True)
    if isinstance(exc, httpx.HTTPError):
        return FetchFailed(f"the download failed: {exc}", retryable=True)
    if isinstance(exc, OSError):
        return FetchFailed(f"the download failed: {exc}", retryable=True)
    return None


def loopback_exception(port: int, *, host: str = "127.0.0.1") -> FetchConfig:
    """A config that allows one loopback address and port (for tests against local servers)."""
    return FetchConfig(allowed_ports=frozenset({port}), allowed_networks=(f"{host}/32",))


__all__ = [
    "FetchConfig",
    "FetchFailed",
    "FetchTooLarge",
    "UrlFetcher",
    "UrlNotAllowed",
    "loopback_exception",
]
