"""The ASGI app: routes and the lifespan that builds (or adopts) the process's container."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from domain.bootstrap import Container, build_container, build_queue, build_rate_limiter
from domain.observability import tracing
from domain.observability.listener import LiveFigures, start_listener
from domain.services.assets.deps import limits_from_settings
from domain.settings import Settings
from resolvers.body_limit import BodySizeLimit
from resolvers.console import ConsoleApp
from resolvers.cors import add_cors
from resolvers.direct_socket import DirectSocketCapture
from resolvers.files import MultipartGuard, files_endpoint, upload_endpoint
from resolvers.graphiql import graphiql_routes
from resolvers.proxy_headers import TrustedProxyHeaders
from resolvers.telemetry import RequestTelemetry, metrics_endpoint
from tasks.registry import task_functions

#: Allocations between two youngest-generation collections (CPython's default is 700).
GC_THRESHOLD0 = 50_000


@contextlib.contextmanager
def settled_heap() -> Iterator[None]:
    """While the app serves: every object alive at startup (modules, schema, container,
    mappers) is out of the collector's reach, and the youngest generation is collected less
    often; both undone at shutdown (an app started again in the same process, as in tests).

    Requests in flight keep many objects alive across their awaits (a nested query's resolved
    fields, ORM rows); the collector promotes them and then rescans the whole heap, startup
    objects included, over and over. Frozen, those are not scanned again; short-lived objects
    are mostly freed by reference counting before a collection sees them.
    """
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD0, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def create_app(settings: Settings | None = None, container: Container | None = None) -> Starlette:
    """The ASGI app. Nothing is connected until the lifespan starts."""
    from resolvers.access_log import redact_access_log
    from resolvers.http import GraphQLEndpoint
    from schema.app import build_schema

    settings = settings or Settings()
    state: dict[str, Any] = {}
    tracing_on = tracing.setup(settings, "adreel-api")

    class LazyGraphQL:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await state["graphql"](scope, receive, send)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        redact_access_log()
        own = container is None
        c = container or await build_container(
            settings, migrate=settings.database_url is None, tasks=task_functions()
        )
        if c.queue is None:  # a container built without one (tests): this process's runner
            c.queue = build_queue(c, task_functions())
        await c.start()
        from domain.adapters.queue.embedded import EmbeddedQueue
        from tasks import embedded

        # the embedded runner resumes interrupted jobs and sweeps leases; arq workers do it otherwise
        sweeper = await embedded.start(c) if isinstance(c.queue, EmbeddedQueue) else None
        rate_limiter = build_rate_limiter(settings)
        state["container"] = c
        state["graphql"] = GraphQLEndpoint(
            build_schema(settings),
            c,
            rate_limiter,
            graphql_ide=None if settings.is_production else "graphiql",
            multipart_uploads_enabled=True,
        )
        await state["graphql"].start()
        app.state.container = c
        listener = (
            start_listener(
                settings.metrics_host,
                settings.metrics_port,
                LiveFigures(asyncio.get_running_loop(), c.session_factory, c.queue),
            )
            if settings.metrics_port
            else None
        )
        try:
            with settled_heap():
                yield
        finally:
            if listener is not None:
                listener.close()
            await embedded.stop(sweeper)
            await rate_limiter.aclose()
            await state["graphql"].aclose()
            if own:
                await c.close()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        checks: dict[str, str] = {}
        c: Container = state["container"]
        try:
            from sqlalchemy import text

            async with c.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        if settings.redis_url:
            try:
                from redis.asyncio import Redis

                client = Redis.from_url(
                    settings.redis_url, socket_connect_timeout=2, socket_timeout=2
                )
                try:
                    await client.ping()
                finally:
                    await client.aclose()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    graphql = LazyGraphQL()
    guarded_graphql = MultipartGuard(
        graphql, limits_from_settings(settings), settings.max_body_bytes
    )
    app = Starlette(
        routes=[
            Route("/graphql", guarded_graphql),  # other methods: a GraphQL 405
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            Route("/files/{key:path}", files_endpoint, methods=["GET", "HEAD"]),
            Route("/uploads/{asset_id}", upload_endpoint, methods=["PUT"]),
            *graphiql_routes(settings),
            Mount("/", app=ConsoleApp()),  # the console at /, last: every other route wins
        ],
        lifespan=lifespan,
    )
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, exempt_prefixes=("/uploads/",)
    )
    add_cors(app, settings)
    app.add_middleware(RequestTelemetry)  # inside the proxy headers: it reads the routed scope
    app.add_middleware(TrustedProxyHeaders, trusted=settings.trusted_proxies)
    if tracing_on:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        app.add_middleware(OpenTelemetryMiddleware)
    # outermost: keeps each WebSocket's uvicorn protocol for the live frames written directly
    app.add_middleware(DirectSocketCapture)
    return app


__all__ = ["create_app"]
