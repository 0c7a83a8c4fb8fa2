"""``adreel serve``: the API server, with the GraphiQL address and (``--seed``) a development key."""

from __future__ import annotations

import argparse
import asyncio

from domain.bootstrap import build_container
from domain.settings import Settings


async def seed_key(settings: Settings, org: str) -> str:
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


async def migrate_once(settings: Settings) -> None:
    """Apply migrations (before several API processes start and each would)."""
    container = await build_container(settings, migrate=True)
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
    the development key and how to use it. The key never goes into a URL (URLs end up in access
    logs and browser history): GraphiQL keeps it in the browser once pasted into its key bar."""
    lines = [f"GraphiQL: {address}"]
    if key is None:
        return lines
    lines += [
        f"Seeded organization {org!r}. Its API key (shown once):",
        key,
        "In GraphiQL paste it into the 'API key' bar at the top (kept in that browser only).",
        f"From a shell: curl -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json'"
        f' -d \'{{"query": "{{ viewer {{ organization {{ name }} }} }}"}}\' {address}',
    ]
    return lines


def serve(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    """Print the banner (outside production) and run uvicorn until stopped."""
    import uvicorn

    from server import create_app

    if args.seed and settings.is_production:
        parser.error("--seed is a development aid; it is refused when ADREEL_ENV=production")
    workers = getattr(args, "workers", 1)
    if workers < 1:
        parser.error("--workers must be at least 1")
    if workers > 1 and not settings.redis_url:
        parser.error(
            "--workers above 1 needs ADREEL_REDIS_URL (live events, rate limits and pipeline "
            "work are shared between processes through Redis)"
        )
    settings.ensure_dirs()
    if workers > 1 and settings.database_url is None and not args.seed:
        asyncio.run(migrate_once(settings))  # once, before the processes start
    key = asyncio.run(seed_key(settings, args.org)) if args.seed else None
    if not settings.is_production:
        for line in serve_banner(graphiql_address(args.host, args.port), args.org, key):
            print(line, flush=True)
    # X-Forwarded-* are applied by the app, from ADREEL_TRUSTED_PROXIES only
    # permessage-deflate keeps a compression context per socket and compresses every message
    # for each socket again: off unless asked for (ADREEL_WS_PER_MESSAGE_DEFLATE).
    # websockets-sansio: live subscription frames are written straight to its sockets
    # (resolvers.direct_socket); the other implementations take the slower ASGI path.
    if workers > 1:  # each process builds its app from the same environment
        uvicorn.run(
            "server:create_app",
            factory=True,
            workers=workers,
            timeout_worker_healthcheck=60,  # a process imports the whole service before it answers
            host=args.host,
            port=args.port,
            log_level="info",
            log_config=None,  # uvicorn's loggers go through the root handler (JSON in production)
            proxy_headers=False,
            ws="websockets-sansio",
            ws_per_message_deflate=settings.ws_per_message_deflate,
        )
        return 0
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=None,  # uvicorn's loggers go through the root handler (JSON in production)
        proxy_headers=False,
        ws="websockets-sansio",
        ws_per_message_deflate=settings.ws_per_message_deflate,
    )
    return 0


__all__ = ["graphiql_address", "migrate_once", "seed_key", "serve", "serve_banner"]
