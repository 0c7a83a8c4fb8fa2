"""The HTTP edge of operations: request ids, HTTP and WebSocket metrics, and ``/metrics``."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import time
import uuid

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.bootstrap import Container
from domain.observability import log_context
from domain.observability.exposition import CONTENT_TYPE, scrape
from domain.observability.metrics import metrics
from domain.settings import Settings

log = logging.getLogger("adreel.http")

_REQUEST_ID = re.compile(r"[A-Za-z0-9_.\-]{8,64}")


def new_request_id(incoming: str | None) -> str:
    """The caller's ``X-Request-Id`` when it is a sane token, else a fresh one."""
    if incoming and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex[:16]


def route_label(scope: Scope) -> str:
    """The matched route's template (``/files/{key:path}``), never the raw path."""
    route = scope.get("route")
    if isinstance(route, Mount):
        return "console" if route.path == "" else route.path
    if isinstance(route, Route):
        return route.path
    return "unmatched"


class RequestTelemetry:
    """Binds the request id for logs, answers it in ``X-Request-Id``, and counts requests (by
    method, route and status, with latency) and open WebSockets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = new_request_id(headers.get(b"x-request-id", b"").decode("latin-1"))
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                raw = list(message.get("headers", []))
                if not any(name.lower() == b"x-request-id" for name, _ in raw):
                    raw.append((b"x-request-id", request_id.encode()))
                    message["headers"] = raw
            await send(message)

        with log_context.bound(request_id=request_id, organization_id=None):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route, method = route_label(scope), scope.get("method", "GET")
                seconds = time.perf_counter() - started
                m = metrics()
                m.http_requests.labels(method, route, str(status)).inc()
                m.http_duration.labels(method, route).observe(seconds)
                log.debug(
                    "%s %s %d in %.1f ms",
                    method,
                    route,
                    status,
                    seconds * 1000,
                    extra={"method": method, "route": route, "status": status},
                )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        gauge = metrics().websockets_open
        opened = False

        async def counting_send(message: Message) -> None:
            nonlocal opened
            if message["type"] == "websocket.accept" and not opened:
                opened = True
                gauge.inc()
            await send(message)

        with log_context.bound(request_id=uuid.uuid4().hex[:16], organization_id=None):
            try:
                await self.app(scope, receive, counting_send)
            finally:
                if opened:
                    gauge.dec()


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_access(settings: Settings, request: Request) -> int:
    """200 when the caller may scrape; 401 (a token is set and not given) or 404 otherwise.

    With ``ADREEL_METRICS_TOKEN`` the bearer token is required from everyone; without it only
    loopback callers may scrape outside production, and nobody in production.
    """
    if not settings.metrics_enabled:
        return 404
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if token:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {token}"
        return 200 if hmac.compare_digest(given.encode(), expected.encode()) else 401
    if settings.is_production:
        return 404
    return 200 if _loopback(request) else 404


async def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics``: the Prometheus text format, if :func:`metrics_access` allows."""
    container: Container = request.app.state.container
    status = metrics_access(container.settings, request)
    if status == 401:
        return PlainTextResponse(
            "a metrics token is required", 401, headers={"WWW-Authenticate": "Bearer"}
        )
    if status != 200:
        return PlainTextResponse("Not Found", 404)
    body = await scrape(container.session_factory, container.queue)
    return Response(body, media_type=CONTENT_TYPE)


__all__ = [
    "RequestTelemetry",
    "metrics_access",
    "metrics_endpoint",
    "new_request_id",
    "route_label",
]
