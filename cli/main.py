"""The ``adreel`` argument parser and the dispatch to each command group's module."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from cli.database import migrate
from cli.demo import demo
from cli.export_schema import export_schema_sdl
from cli.keys import create_key, revoke_key
from cli.serve import serve
from cli.storage import storage_sweep
from cli.worker import worker
from domain.errors import DomainError
from domain.observability import logs
from domain.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """Every command, flag and help line of ``adreel``."""
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
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes sharing the port (above 1 needs ADREEL_REDIS_URL: events, rate "
        "limits and persisted queries are then shared through Redis)",
    )
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
    worker.add_argument(
        "--metrics-port",
        type=int,
        help="serve this worker's Prometheus metrics on ADREEL_METRICS_HOST:PORT",
    )
    worker.add_argument(
        "--queue",
        choices=["all", "pipeline", "webhooks"],
        default="all",
        help="the lanes to run: pipeline stages, webhook deliveries, or both (default)",
    )
    storage = sub.add_parser("storage", help="storage chores")
    storage_sub = storage.add_subparsers(dest="storage_command", required=True)
    sweep = storage_sub.add_parser(
        "sweep", help="remove stored objects no row claims, older than the grace period"
    )
    sweep.add_argument(
        "--grace",
        type=float,
        help="seconds an unclaimed object is left alone (default ADREEL_STORAGE_SWEEP_GRACE_SECONDS)",
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """The ``adreel`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "export-schema":
        sdl = export_schema_sdl()
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(sdl)
        else:
            sys.stdout.write(sdl)
        return 0

    overrides: dict[str, Any] = {}
    if args.command == "worker" and args.metrics_port is not None:
        overrides["metrics_port"] = args.metrics_port
    if args.command == "demo":  # the demo runs its stages in this process: no queue service
        overrides["redis_url"] = None
        if args.data_dir is not None:
            overrides["data_dir"] = args.data_dir
    settings = Settings(**overrides)
    logs.configure(settings, logging.WARNING if args.command == "demo" else logging.INFO)
    try:
        return _run(parser, args, settings)
    except DomainError as exc:
        print(f"adreel: {exc.message}", file=sys.stderr)
        return 1


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        return serve(parser, args, settings)
    if args.command == "migrate":
        asyncio.run(migrate(settings))
        print("database is up to date")
        return 0
    if args.command == "keys" and args.keys_command == "create":
        key = asyncio.run(create_key(settings, args.org, args.name))
        print(f"created a key for organization {args.org!r}; it is shown only once:")
        print(key)
        return 0
    if args.command == "worker":
        return worker(settings, args)
    if args.command == "demo":
        return demo(settings, args)
    if args.command == "storage" and args.storage_command == "sweep":
        return storage_sweep(settings, args.grace)
    if args.command == "keys" and args.keys_command == "revoke":
        prefix = asyncio.run(revoke_key(settings, args.key))
        print(f"revoked key {prefix}")
        return 0
    parser.error("unknown command")
    return 2


__all__ = ["build_parser", "main"]
