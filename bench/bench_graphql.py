"""Requests per second of the nested GraphQL query beside a plain Starlette JSON endpoint.

Both endpoints answer the same question over the same data (1,000 clients x 5 campaigns in one
organization): the first 50 clients, each with its first 20 campaigns and its job count. The
baseline runs the very same SQL (API-key lookup, one keyset page of clients with its total, one
windowed page of campaigns per client with their totals, the client stats aggregates) through
the same domain services and writes the JSON by hand: what is left between the two figures is
the GraphQL layer (parsing, validation, extensions, resolvers, DataLoaders, serialization).

Each endpoint is served by its own uvicorn process on loopback; a bounded httpx load loop
(fixed concurrency, fixed duration) drives them in the same run, the servers taking turns in
half-second slices within each round: this machine's speed swings over seconds, and slices
taken in turn give every server the same moments. Besides wall-clock requests per second, each
round reads the CPU time its server process used (user + system, from /proc) and divides it by
the requests it answered: on a loaded machine the wall figures of the two servers swing with
whatever else runs, while the CPU each request costs stays put, so the ratio of CPU per request
is the figure to read there. Usage:

    .venv/bin/python bench/bench_graphql.py [--seconds 8] [--rounds 3] [--slice 0.5] [--concurrency 8]
        [--database-url postgresql+asyncpg://...]   (default: a SQLite file in a temp directory)
        [--before CHECKOUT]   (also serve /graphql from another checkout, in the same rounds)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procfs import cpu_seconds  # noqa: E402

CLIENTS = 1_000
CAMPAIGNS_PER_CLIENT = 5

NESTED = """
{ clients(first: 50) { edges { node {
    campaigns(first: 20) { edges { node { id } } }
    stats { jobCount }
} } } }"""
NESTED_BODY = {"query": NESTED}


def settings_for(database_url: str, data_dir: Path) -> Any:
    from domain.settings import Settings

    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=None,
        rate_limit_per_minute=10_000_000,
        rate_limit_burst=10_000_000,
    )


# ---------------------------------------------------------------- data


async def seed(database_url: str, data_dir: Path) -> str:
    """Migrate, then 1,000 clients x 5 campaigns in one organization; returns its API key."""
    from domain.bootstrap import build_container
    from domain.models import Campaign, Client
    from domain.models.base import utcnow
    from domain.services.tenancy import create_api_key

    container = await build_container(settings_for(database_url, data_dir), migrate=True)
    try:
        async with container.session_factory() as session:
            issued = await create_api_key(session, f"bench-{uuid.uuid4().hex[:6]}")
            org_id = issued.organization.id
            now = utcnow()
            clients = [
                Client(
                    id=uuid.uuid4(),
                    organization_id=org_id,
                    name=f"Client {i:04d}",
                    name_key=f"client {i:04d}",
                    brand_colors=["#112233"],
                    created_at=now,
                    updated_at=now,
                )
                for i in range(CLIENTS)
            ]
            session.add_all(clients)
            await session.flush()
            session.add_all(
                Campaign(
                    organization_id=org_id,
                    client_id=client.id,
                    name=f"Campaign {k}",
                    name_key=f"campaign {k}",
                    budget_usd=Decimal("100.00"),
                    created_at=now,
                    updated_at=now,
                )
                for client in clients
                for k in range(CAMPAIGNS_PER_CLIENT)
            )
            await session.commit()
            return issued.key
    finally:
        await container.close()


# ---------------------------------------------------------------- the two servers


def graphql_app(database_url: str, data_dir: Path) -> Any:
    from server import create_app

    return create_app(settings_for(database_url, data_dir))


def plain_app(database_url: str, data_dir: Path) -> Any:
    """A Starlette endpoint doing the same SQL through the same services, JSON by hand, in a
    process tuned like the GraphQL server's (``server.settled_heap``)."""
    import contextlib

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from domain.bootstrap import build_container
    from domain.errors import AuthenticationError
    from domain.models import Campaign, Client
    from domain.services import clients as service
    from domain.services.pagination import PageRequest, fetch_page, fetch_pages_by_parent
    from domain.services.tenancy import authenticate
    from schema.ids import encode_id
    from server import settled_heap

    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> Any:
        state["container"] = await build_container(settings_for(database_url, data_dir))
        try:
            with settled_heap():  # the same process settings as the GraphQL server
                yield
        finally:
            await state["container"].close()

    async def nested(request: Request) -> Response:
        container = state["container"]
        async with container.session_factory() as session:
            try:
                principal = await authenticate(session, request.headers.get("authorization"))
            except AuthenticationError as exc:
                return JSONResponse({"error": str(exc)}, status_code=401)
        async with container.session_factory() as session:
            org_id = principal.organization_id
            page = await fetch_page(
                session, service.clients_query(org_id), Client, PageRequest.of(first=50)
            )
            ids = [c.id for c in page.items]
            from sqlalchemy import select

            campaigns = await fetch_pages_by_parent(
                session,
                select(Campaign).where(Campaign.organization_id == org_id),
                Campaign,
                "client_id",
                ids,
                PageRequest.of(first=20),
            )
            stats = await service.client_stats(session, org_id, ids)
        edges = [
            {
                "node": {
                    "campaigns": {
                        "edges": [
                            {"node": {"id": encode_id("Campaign", c.id)}}
                            for c in campaigns[client.id].items
                        ]
                    },
                    "stats": {"jobCount": stats[client.id].job_count},
                }
            }
            for client in page.items
        ]
        return JSONResponse({"data": {"clients": {"edges": edges}}})

    return Starlette(routes=[Route("/nested", nested, methods=["POST"])], lifespan=lifespan)


def serve(kind: str, port: int, database_url: str, data_dir: Path) -> None:
    import uvicorn

    app = (graphql_app if kind == "graphql" else plain_app)(database_url, data_dir)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# ---------------------------------------------------------------- load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    kind: str, database_url: str, data_dir: Path, root: Path = ROOT
) -> tuple[subprocess.Popen[bytes], str]:
    """One server process; ``root`` is the checkout it serves (another one: ``--before``)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(root / "bench" / "bench_graphql.py"), "--serve", kind,
         "--port", str(port), "--database-url", database_url, "--data-dir", str(data_dir)],
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


async def wait_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base_url) as http:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                await http.get("/")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    raise RuntimeError("server did not start")


@dataclass(frozen=True)
class Round:
    """One round against one server: requests answered, wall seconds, server CPU seconds."""

    requests: int
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        return self.requests / self.wall

    @property
    def cpu_per_request(self) -> float:
        return self.cpu / self.requests


async def measure(
    http: Any, url: str, body: dict[str, Any], key: str, seconds: float, concurrency: int, pid: int
) -> Round:
    """One slice of load, with the CPU time the server process ``pid`` spent on it."""
    cpu_before = cpu_seconds(pid)
    count, elapsed = await load(http, url, body, key, seconds, concurrency)
    return Round(count, elapsed, cpu_seconds(pid) - cpu_before)


def total(slices: list[Round]) -> Round:
    """The slices of one round, added up."""
    return Round(
        sum(r.requests for r in slices), sum(r.wall for r in slices), sum(r.cpu for r in slices)
    )


async def load(
    http: Any, url: str, body: dict[str, Any], key: str, seconds: float, concurrency: int
) -> tuple[int, float]:
    """Requests completed in ``seconds`` by ``concurrency`` workers (bounded by time and count)."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    payload = json.dumps(body).encode()
    done = 0
    max_requests = 1_000_000
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline and done < max_requests:
            response = await http.post(url, content=payload, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
            done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.perf_counter() - started


async def check_same_answer(graphql_urls: list[str], plain_url: str, key: str) -> int:
    """Every endpoint returns the same document (so the comparison is fair)."""
    import httpx

    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(timeout=60) as http:
        p = (await http.post(plain_url, json={}, headers=headers)).json()
        for url in graphql_urls:
            g = (await http.post(url, json={"query": NESTED}, headers=headers)).json()
            if g != p:
                raise RuntimeError(f"{url} and the plain endpoint disagree")
    edges = p["data"]["clients"]["edges"]
    assert len(edges) == 50 and all(
        len(e["node"]["campaigns"]["edges"]) == CAMPAIGNS_PER_CLIENT for e in edges
    )
    return len(json.dumps(p))


async def run(args: argparse.Namespace) -> None:
    import httpx

    data_dir = Path(tempfile.mkdtemp(prefix="adreel-bench-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{data_dir / 'bench.sqlite3'}"
    print(f"seeding {CLIENTS} clients x {CAMPAIGNS_PER_CLIENT} campaigns ...", flush=True)
    key = await seed(database_url, data_dir)
    servers = {kind: start_server(kind, database_url, data_dir) for kind in ("graphql", "plain")}
    if args.before:
        servers["before"] = start_server("graphql", database_url, data_dir, Path(args.before))
    try:
        for process, base in servers.values():
            await wait_ready(base, process)
        targets = {
            kind: (base + "/nested", {}) if kind == "plain" else (base + "/graphql", NESTED_BODY)
            for kind, (_, base) in servers.items()
        }
        graphql_urls = [url for kind, (url, _) in targets.items() if kind != "plain"]
        size = await check_same_answer(graphql_urls, targets["plain"][0], key)
        print(f"the endpoints answer the same {size:,}-byte document", flush=True)
        limits = httpx.Limits(
            max_connections=args.concurrency, max_keepalive_connections=args.concurrency
        )
        clients = {kind: httpx.AsyncClient(limits=limits, timeout=60) for kind in targets}
        for kind, (url, body) in targets.items():  # warm-up
            await load(clients[kind], url, body, key, 1.0, args.concurrency)
        rounds: dict[str, list[Round]] = {kind: [] for kind in servers}
        order = list(servers)
        slices = max(1, round(args.seconds / args.slice))
        for round_ in range(args.rounds):
            # each server's share of a round comes in short slices taken in turn, so every
            # server sees the same moments of the machine (its load swings over seconds)
            taken: dict[str, list[Round]] = {kind: [] for kind in servers}
            for slice_ in range(slices):
                for kind in order if (round_ + slice_) % 2 == 0 else order[::-1]:
                    url, body = targets[kind]
                    pid = servers[kind][0].pid
                    taken[kind].append(
                        await measure(
                            clients[kind], url, body, key, args.seconds / slices,
                            args.concurrency, pid,
                        )
                    )  # fmt: skip
            for kind in order:
                r = total(taken[kind])
                rounds[kind].append(r)
                print(f"  round {round_ + 1} {kind:8s} {r.rate:8.1f} req/s "
                      f"{r.cpu_per_request * 1e3:7.2f} ms CPU/request", flush=True)  # fmt: skip
        for client in clients.values():
            await client.aclose()
    finally:
        for process, _ in servers.values():
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    report(rounds, args, "PostgreSQL" if database_url.startswith("postgresql") else "SQLite")


LABELS = {"graphql": "/graphql", "before": "/graphql (--before)", "plain": "plain Starlette"}


def report(rounds: dict[str, list[Round]], args: argparse.Namespace, database: str) -> None:
    """Wall req/s and CPU per request (medians of the rounds, and the best round's CPU), each
    beside its ratio to the plain endpoint read as a fraction of its throughput. The CPU ratio
    is the median of the per-round ratios: rounds measured side by side share the machine's
    load of the moment, which the ratio of each round cancels."""
    plain = rounds["plain"]
    rate = {kind: statistics.median(r.rate for r in rs) for kind, rs in rounds.items()}
    cpu = {kind: statistics.median(r.cpu_per_request for r in rs) for kind, rs in rounds.items()}
    best = {kind: min(r.cpu_per_request for r in rs) for kind, rs in rounds.items()}
    ratio = {
        kind: statistics.median(
            p.cpu_per_request / r.cpu_per_request for p, r in zip(plain, rs, strict=True)
        )
        for kind, rs in rounds.items()
    }
    print()
    print(f"nested query, {CLIENTS:,} clients x {CAMPAIGNS_PER_CLIENT} campaigns, {database}, "
          f"concurrency {args.concurrency}, {args.rounds} rounds x {args.seconds:g} s, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"  {'':20s} {'req/s':>8s} {'CPU/request':>12s} {'best':>9s}"
          f" {'ratio: wall':>12s} {'CPU':>6s} {'best':>6s}")  # fmt: skip
    for kind in rounds:
        print(f"  {LABELS[kind]:20s} {rate[kind]:8.1f} {cpu[kind] * 1e3:9.2f} ms"
              f" {best[kind] * 1e3:6.2f} ms {rate[kind] / rate['plain']:12.2f}"
              f" {ratio[kind]:6.2f} {best['plain'] / best[kind]:6.2f}")  # fmt: skip
    print("  (ratios to the plain endpoint: wall = req/s over its req/s; CPU = its CPU per request")
    print("   over this one's, median of the rounds' ratios, and best round over best round;")
    print("   on a loaded machine read the CPU ratio)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--slice", type=float, default=0.5, help="seconds of load per server before the next"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--before",
        metavar="CHECKOUT",
        help="also serve /graphql from this checkout (e.g. a git worktree of the commit to compare)",
    )
    parser.add_argument("--serve", choices=["graphql", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.database_url, Path(args.data_dir))
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
