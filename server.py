"""Wiring only: settings -> engine, storage, queue, bus -> the Starlette app; and the CLI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.bootstrap import Container, build_container
from domain.errors import DomainError
from domain.ports.ratelimit import RateLimiter
from domain.settings import DEVELOPMENT_SECRET, Settings
from resolvers.console import ConsoleApp
from resolvers.files import MultipartGuard, files_endpoint, is_multipart, upload_endpoint

log = logging.getLogger("adreel")


class BodySizeLimit:
    """Refuses request bodies over ``max_bytes`` with 413, counting while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"].startswith(self.exempt_prefixes)
            or is_multipart(scope)  # capped by MultipartGuard, which needs a preflight header
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send)
            return
        received = 0
        too_large = False

        async def limited() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"request body over {self.max_bytes} bytes",
                        "extensions": {"code": "TOO_LARGE"},
                    }
                ]
            },
            status_code=413,
        )
        await response({"type": "http"}, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def attach_queue(container: Container) -> None:
    """The embedded runner by default; arq on Redis when ``ADREEL_REDIS_URL`` is set."""
    from tasks.registry import task_functions

    if container.settings.redis_url:
        from tasks.queue import ArqQueue

        container.queue = ArqQueue(container.settings.redis_url, container.settings.queue_name)
    else:
        from domain.adapters.queue.embedded import EmbeddedQueue

        container.queue = EmbeddedQueue(
            task_functions(),
            {"container": container},
            concurrency=container.settings.runner_concurrency,
        )


def build_rate_limiter(settings: Settings) -> RateLimiter:
    """Per-key limits shared through Redis when configured, else kept in memory."""
    from domain.adapters.ratelimit import MemoryRateLimiter, RedisRateLimiter

    if settings.redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        return RedisRateLimiter(client)
    return MemoryRateLimiter()


def create_app(settings: Settings | None = None, container: Container | None = None) -> Starlette:
    """The ASGI app. Nothing is connected until the lifespan starts."""
    from resolvers.http import GraphQLEndpoint
    from schema.app import build_schema

    settings = settings or Settings()
    state: dict[str, Any] = {}

    class LazyGraphQL:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await state["graphql"](scope, receive, send)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = container is None
        c = container or await build_container(settings, migrate=settings.database_url is None)
        if c.queue is None:
            attach_queue(c)
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
        app.state.container = c
        try:
            yield
        finally:
            await embedded.stop(sweeper)
            await rate_limiter.aclose()
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
    multipart_cap = (
        max(
            settings.asset_max_image_bytes,
            settings.asset_max_video_bytes,
            settings.asset_max_audio_bytes,
        )
        + 1024 * 1024
    )
    guarded_graphql = MultipartGuard(graphql, multipart_cap)
    app = Starlette(
        routes=[
            Route("/graphql", guarded_graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/files/{key:path}", files_endpoint, methods=["GET", "HEAD"]),
            Route("/uploads/{asset_id}", upload_endpoint, methods=["PUT"]),
            Mount("/", app=ConsoleApp()),  # the console at /, last: every other route wins
        ],
        lifespan=lifespan,
    )
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, exempt_prefixes=("/uploads/",)
    )
    return app


# ---------------------------------------------------------------- command line


async def _migrate(settings: Settings) -> None:
    container = await build_container(settings, migrate=True)
    await container.close()


async def _create_key(settings: Settings, org: str, name: str) -> str:
    from domain.services.tenancy import create_api_key

    container = await build_container(settings, migrate=settings.database_url is None)
    try:
        async with container.session_factory() as session:
            issued = await create_api_key(session, org, name)
            await session.commit()
            return issued.key
    finally:
        await container.close()


async def _revoke_key(settings: Settings, key: str) -> str:
    from domain.services.tenancy import revoke_api_key

    container = await build_container(settings)
    try:
        async with container.session_factory() as session:
            api_key = await revoke_api_key(session, key)
            await session.commit()
            return api_key.prefix
    finally:
        await container.close()


async def _seed(settings: Settings, org: str) -> str:
    """Apply migrations and issue a development key for ``org`` (created when missing)."""
    from domain.services.tenancy import create_api_key

    container = await build_container(settings, migrate=True)
    try:
        async with container.session_factory() as session:
            issued = await create_api_key(session, org, "graphiql")
            await session.commit()
            return issued.key
    finally:
        await container.close()


def graphiql_address(host: str, port: int) -> str:
    """Where a browser on this machine finds GraphiQL for a server bound to ``host``."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - display only
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/graphql"


def serve_banner(address: str, org: str | None = None, key: str | None = None) -> list[str]:
    """What ``adreel serve`` prints before it starts: the GraphiQL address and, with ``--seed``,
    the development key and how to send it from GraphiQL."""
    lines = [f"GraphiQL: {address}"]
    if key is None:
        return lines
    header = json.dumps({"Authorization": f"Bearer {key}"})
    lines += [
        f"Seeded organization {org!r}. Its API key (shown once):",
        key,
        "In GraphiQL open the Headers tab (bottom left) and paste:",
        f"  {header}",
        "or open GraphiQL with the header filled in:",
        f"  {address}?{urlencode({'headers': header}, quote_via=quote)}",
        f"From a shell: curl -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json'"
        f' -d \'{{"query": "{{ viewer {{ organization {{ name }} }} }}"}}\' {address}',
    ]
    return lines


def export_schema_sdl() -> str:
    """The SDL of the schema as the code defines it (independent of the environment)."""
    from schema.app import build_schema

    return str(build_schema(Settings(env="development", secret_key=DEVELOPMENT_SECRET))) + "\n"


def main(argv: list[str] | None = None) -> int:
    """The ``adreel`` command."""
    parser = argparse.ArgumentParser(prog="adreel", description="Adreel video-ad service")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve", help="run the API server (applies migrations in the embedded default)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--seed",
        action="store_true",
        help="development: apply migrations, issue a key for a demo organization and print it",
    )
    serve.add_argument("--org", default="Demo", help="the organization --seed issues a key for")
    sub.add_parser("migrate", help="apply database migrations")
    keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="create a key (and the organization if needed)")
    create.add_argument("--org", required=True)
    create.add_argument("--name", default="default")
    revoke = keys_sub.add_parser("revoke", help="revoke a key by its value or prefix")
    revoke.add_argument("key")
    export = sub.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", "-o")
    worker = sub.add_parser("worker", help="run a pipeline worker (arq on ADREEL_REDIS_URL)")
    worker.add_argument(
        "--check", action="store_true", help="exit 0 if a worker on the queue is alive, else 1"
    )
    demo = sub.add_parser("demo", help="make a 30-second ad end to end offline, with live progress")
    demo.add_argument("--data-dir", type=Path, help="where data is kept (default ./var)")
    demo.add_argument("--output", "-o", type=Path, default=Path("adreel-demo.mp4"))
    demo.add_argument("--duration", type=float, default=30.0, help="seconds (5..120)")
    demo.add_argument(
        "--aspect",
        default="PORTRAIT_9_16",
        choices=["PORTRAIT_9_16", "LANDSCAPE_16_9", "SQUARE_1_1", "VERTICAL_4_5"],
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.command == "demo" else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )

    if args.command == "export-schema":
        sdl = export_schema_sdl()
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(sdl)
        else:
            sys.stdout.write(sdl)
        return 0

    overrides: dict[str, Any] = {}
    if args.command == "demo":  # the demo runs its stages in this process: no queue service
        overrides["redis_url"] = None
        if args.data_dir is not None:
            overrides["data_dir"] = args.data_dir
    settings = Settings(**overrides)
    try:
        return _run(parser, args, settings)
    except DomainError as exc:
        print(f"adreel: {exc.message}", file=sys.stderr)
        return 1


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from rich.console import Console

    from domain.enums import AspectRatio
    from tasks.demo import print_summary, run_demo

    console = Console()
    result = asyncio.run(
        run_demo(
            settings,
            args.output,
            duration=args.duration,
            aspect=AspectRatio(args.aspect),
            console=console,
        )
    )
    print_summary(result, console)
    return 0 if result.output is not None else 1


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        import uvicorn

        if args.seed and settings.is_production:
            parser.error("--seed is a development aid; it is refused when ADREEL_ENV=production")
        settings.ensure_dirs()
        key = asyncio.run(_seed(settings, args.org)) if args.seed else None
        if not settings.is_production:
            for line in serve_banner(graphiql_address(args.host, args.port), args.org, key):
                print(line, flush=True)
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
        return 0
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        print("database is up to date")
        return 0
    if args.command == "keys" and args.keys_command == "create":
        key = asyncio.run(_create_key(settings, args.org, args.name))
        print(f"created a key for organization {args.org!r}; it is shown only once:")
        print(key)
        return 0
    if args.command == "worker":
        from tasks.worker import check_health, run_worker

        if args.check:
            return check_health(settings)
        run_worker(settings)
        return 0
    if args.command == "demo":
        return _demo(settings, args)
    if args.command == "keys" and args.keys_command == "revoke":
        prefix = asyncio.run(_revoke_key(settings, args.key))
        print(f"revoked key {prefix}")
        return 0
    parser.error("unknown command")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
