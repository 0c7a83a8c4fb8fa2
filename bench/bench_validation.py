"""Validation time of documents that expand exponentially, beside a trivial query.

Each fragment spreads the next one twice, so a document of ``n`` fragments (about 40 bytes each)
stands for ``2**n`` fields. The schema's validation (graphql's rules and Adreel's limits) should
cost about the same for every ``n``: the limits measure each fragment once. ``--strawberry`` adds
the depth and alias walkers the limits replaced, for comparison (keep ``--levels`` low: they
take time exponential in it). ``--http`` also times whole requests through the app (in process,
SQLite in a temporary directory), with a key and without one. Usage:

    .venv/bin/python bench/bench_validation.py [--levels 10 20 30] [--repeat 20] [--strawberry]
        [--http]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphql import ASTValidationRule, parse, specified_rules, validate  # noqa: E402

from domain.settings import Settings  # noqa: E402
from schema.app import build_schema  # noqa: E402
from schema.limits import limits_rule  # noqa: E402


def doubling(levels: int) -> str:
    """``levels`` fragments, each spreading the next twice."""
    parts = ["query Doubling { ...F0 }"]
    parts += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on Query {{ __typename }}")
    return "\n".join(parts)


def timed(
    schema: object, document: str, rules: list[type[ASTValidationRule]], repeat: int
) -> float:
    """Median seconds to parse and validate ``document``."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        validate(schema, parse(document), rules)  # type: ignore[arg-type]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def post(
    http: Any, transport: Any, headers: dict[str, str], query: str, n: int, repeat: int
) -> float:
    """Median seconds of ``repeat`` requests, each from its own address (the budget for
    requests without a key would refuse most of them otherwise)."""
    samples = []
    for i in range(repeat):
        transport.client = (f"10.0.{n}.{i}", 1)
        start = time.perf_counter()
        response = await http.post("/graphql", json={"query": query}, headers=headers)
        samples.append(time.perf_counter() - start)
        assert response.status_code in {200, 401}, response.text
    return statistics.median(samples)


async def http_figures(levels: list[int], repeat: int) -> None:
    """Median milliseconds per request of the doubling documents beside ``{ __typename }``."""
    import httpx

    from domain.bootstrap import build_container
    from domain.services.tenancy import create_api_key
    from server import create_app

    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(env="development", data_dir=Path(directory), secret_key="b" * 40)
        container = await build_container(settings, migrate=True)
        async with container.session_factory() as session:
            key = (await create_api_key(session, "bench")).key
            await session.commit()
        app = create_app(settings, container)
        transport = httpx.ASGITransport(app=app)
        try:
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(transport=transport, base_url="http://bench") as http,
            ):
                for label, headers in [
                    ("with a key", {"Authorization": f"Bearer {key}"}),
                    ("without a key", {}),
                ]:
                    trivial = await post(http, transport, headers, "{ __typename }", 0, repeat)
                    print(f"HTTP {label}: trivial query {trivial * 1e3:.2f} ms")
                    for n, level in enumerate(levels, 1):
                        seconds = await post(http, transport, headers, doubling(level), n, repeat)
                        print(
                            f"    {level:>3} levels: {seconds * 1e3:8.2f} ms, "
                            f"{seconds / trivial:5.1f}x the trivial query"
                        )
        finally:
            await container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[10, 20, 30])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--strawberry", action="store_true", help="also time the old walkers")
    parser.add_argument("--http", action="store_true", help="also time whole requests")
    args = parser.parse_args()

    settings = Settings(env="test", secret_key="bench")
    schema = build_schema(settings)._schema
    rules = [
        *specified_rules,
        limits_rule(settings.max_query_depth, settings.max_aliases, settings.max_expanded_fields),
    ]
    trivial = timed(schema, "{ __typename }", rules, args.repeat)
    print(f"trivial query: {trivial * 1e3:.3f} ms")
    for levels in args.levels:
        document = doubling(levels)
        seconds = timed(schema, document, rules, args.repeat)
        print(
            f"{levels:>3} levels ({len(document):>5} bytes, 2^{levels} fields expanded): "
            f"{seconds * 1e3:8.3f} ms, {seconds / trivial:7.1f}x the trivial query"
        )
        if args.strawberry:
            from strawberry.extensions.max_aliases import create_validator as aliases
            from strawberry.extensions.query_depth_limiter import create_validator as depth

            old = [
                *specified_rules,
                depth(settings.max_query_depth, None),
                aliases(settings.max_aliases),
            ]
            seconds = timed(schema, document, old, 1)
            print(f"    with the former walkers: {seconds * 1e3:10.1f} ms")
    if args.http:
        asyncio.run(http_figures(args.levels, args.repeat))


if __name__ == "__main__":
    main()
