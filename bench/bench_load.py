"""Mixed load against a real ``adreel serve``: C concurrent clients for T seconds.

Each client loops over a weighted mix of GraphQL queries (a page of clients, a page of assets),
mutations (``createClient``), subscriptions over graphql-transport-ws (``jobEvents`` on a seeded
job: connect, subscribe, first event, complete) and small signed uploads (``createAssetUpload``
plus the PUT of a tiny PNG). Prints requests/s, requests/s per core the server used (its CPU
time over the run's wall time, every process of it counted), p50/p99 latency overall and per
kind, errors by code (rate-limit refusals apart; the key's limit is raised for the run) and the
server's peak RSS (all its processes). Usage:

    .venv/bin/python bench/bench_load.py [--clients 20] [--seconds 15]
    .venv/bin/python bench/bench_load.py --scale-out [--workers 2] [--clients 200 --seconds 60]

Embedded (default): one process, SQLite, in-process bus. ``--scale-out``: a fresh PostgreSQL
database created for the run (``--pg-admin-url``, dropped afterwards), Redis (``--redis-url``,
a unique key prefix) and ``adreel serve --workers N``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procfs import PeakRss, free_port, tree, tree_cpu, tree_rss  # noqa: E402

CLI = [sys.executable, "-c", "import sys, cli; sys.exit(cli.main())"]

#: The traffic mix: kind -> weight.
MIX = {"query": 50, "mutation": 20, "subscription": 15, "upload": 15}

QUERY_CLIENTS = "{ clients(first: 10) { edges { node { id name } } } }"
QUERY_ASSETS = "{ assets(first: 10) { edges { node { id status kind byteSize } } } }"
CREATE_CLIENT = "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }"
CREATE_UPLOAD = """mutation($i: CreateAssetUploadInput!) { createAssetUpload(input: $i) {
  uploadUrl userErrors { code message } } }"""
SUBSCRIBE = "subscription($jobId: ID!) { jobEvents(jobId: $jobId) { sequence type } }"


# ----------------------------------------------------------------------- the server


async def create_database(admin_url: str, name: str, *, drop: bool = False) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(
            f'DROP DATABASE IF EXISTS "{name}"' if drop else f'CREATE DATABASE "{name}"'
        )
    finally:
        await conn.close()


def tiny_png() -> bytes:
    """A real 16 x 16 RGB PNG (random pixels, so no two uploads are duplicates)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + os.urandom(48) for _ in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# ----------------------------------------------------------------------- the clients


class Tally:
    """Latencies by kind, errors by code, rate-limit refusals."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.rate_limited = 0

    def error(self, code: str) -> None:
        if code in ("RATE_LIMITED", "HTTP 429", "WS 4429"):
            self.rate_limited += 1
        else:
            self.errors[code] += 1


def graphql_error(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        return str((errors[0].get("extensions") or {}).get("code") or "GRAPHQL_ERROR")
    if response.status_code >= 400:
        return f"HTTP {response.status_code}"
    data = body.get("data") or {}
    for payload in data.values():
        if isinstance(payload, dict) and payload.get("userErrors"):
            return str(payload["userErrors"][0]["code"])
    return None


async def gql(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, "variables": variables})


async def one_subscription(ws_url: str, key: str, job_gid: str) -> str | None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    try:
        async with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=60) as ws:  # type: ignore[list-item]
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}
            await ws.send(json.dumps(init))
            ack = json.loads(await ws.recv())
            if ack.get("type") != "connection_ack":
                return "WS_NO_ACK"
            payload = {"query": SUBSCRIBE, "variables": {"jobId": job_gid}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            frame = json.loads(await ws.recv())
            if frame.get("type") == "error":
                return str((frame["payload"][0].get("extensions") or {}).get("code", "WS_ERROR"))
            if frame.get("type") != "next":
                return f"WS_{frame.get('type')}"
            await ws.send(json.dumps({"id": "1", "type": "complete"}))
            return None
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        return f"WS {code}"
    except (OSError, TimeoutError) as exc:
        return type(exc).__name__


async def client_loop(
    index: int,
    base: str,
    key: str,
    client_id: str,
    job_gid: str,
    deadline: float,
    tally: Tally,
) -> None:
    rng = random.Random(index)
    kinds, weights = list(MIX), list(MIX.values())
    ws_url = base.replace("http://", "ws://") + "/graphql"
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            problem: str | None
            try:
                if kind == "query":
                    query = QUERY_CLIENTS if rng.random() < 0.5 else QUERY_ASSETS
                    problem = graphql_error(await gql(http, query, {}))
                elif kind == "mutation":
                    name = f"load-{uuid.uuid4().hex[:12]}"
                    problem = graphql_error(await gql(http, CREATE_CLIENT, {"i": {"name": name}}))
                elif kind == "subscription":
                    problem = await one_subscription(ws_url, key, job_gid)
                else:
                    problem = await one_upload(http, client_id)
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
            tally.latency[kind].append(time.perf_counter() - started)
            if problem is not None:
                tally.error(problem)


async def one_upload(http: httpx.AsyncClient, client_id: str) -> str | None:
    data = tiny_png()
    variables = {"i": {"clientId": client_id, "filename": "load.png", "byteSize": len(data)}}
    made = await gql(http, CREATE_UPLOAD, variables)
    problem = graphql_error(made)
    if problem is not None:
        return problem
    url = made.json()["data"]["createAssetUpload"]["uploadUrl"]
    put = await http.put(url, content=data, headers={"Content-Type": "image/png"})
    if put.status_code != 200:
        try:
            return str(put.json()["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return f"HTTP {put.status_code}"
    return None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ----------------------------------------------------------------------- the run


async def drive(args: argparse.Namespace, base: str, key: str, pid: int, job_gid: str) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        made = await http.post(
            "/graphql",
            json={"query": CREATE_CLIENT, "variables": {"i": {"name": "load-uploads"}}},
            headers={"Authorization": f"Bearer {key}"},
        )
        client_id = made.json()["data"]["createClient"]["client"]["id"]
    tally = Tally()
    cores = os.cpu_count() or 1
    cpu_before = tree_cpu(tree(pid))
    own_before = time.process_time()
    idle_rss = tree_rss(tree(pid))
    started = time.monotonic()
    deadline = started + args.seconds
    with PeakRss(pid, whole_tree=True) as sampler:
        await asyncio.gather(
            *(
                client_loop(i, base, key, client_id, job_gid, deadline, tally)
                for i in range(args.clients)
            )
        )
    wall = time.monotonic() - started
    cpu = tree_cpu(tree(pid)) - cpu_before
    own = time.process_time() - own_before
    every = [v for values in tally.latency.values() for v in values]
    rps = len(every) / wall
    used = cpu / wall
    mode = f"scale-out, {args.workers} workers" if args.scale_out else "embedded"
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    print(f"server:              {mode}; {args.clients} clients x {args.seconds:g} s")
    print(
        f"machine:             {cores} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"requests:            {len(every)} in {wall:.1f} s = {rps:.1f} requests/s")
    print(f"server CPU:          {cpu:.1f} s = {used:.2f} cores used of {cores}")
    print(f"requests/s per core: {rps / used if used else float('nan'):.1f}")
    print(f"load generator CPU:  {own:.1f} s = {own / wall:.2f} cores (this process)")
    print(f"latency overall:     p50 {percentile(every, 0.5) * 1000:.0f} ms"
          f"  p99 {percentile(every, 0.99) * 1000:.0f} ms")  # fmt: skip
    for kind in MIX:
        values = tally.latency.get(kind, [])
        print(f"  {kind:<13}      {len(values):6d}  p50 {percentile(values, 0.5) * 1000:6.0f} ms"
              f"  p99 {percentile(values, 0.99) * 1000:6.0f} ms")  # fmt: skip
    errors = ", ".join(f"{code} {n}" for code, n in tally.errors.most_common()) or "none"
    print(f"errors:              {sum(tally.errors.values())} ({errors})")
    print(f"rate-limit refusals: {tally.rate_limited}")
    print(
        f"server RSS:          idle {idle_rss / 2**20:.0f} MiB, peak {sampler.peak / 2**20:.0f} MiB"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--scale-out", action="store_true")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    database = f"adreel_load_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix="adreel-load-") as tmp:
        env = {**os.environ, "ADREEL_DATA_DIR": str(Path(tmp) / "var"), "ADREEL_ENV": "development"}
        for name in ("ADREEL_DATABASE_URL", "ADREEL_REDIS_URL", "ADREEL_STORAGE_URL"):
            env.pop(name, None)
        # The key's limits raised for the run: refusals would measure the limiter, not the API.
        env["ADREEL_RATE_LIMIT_PER_MINUTE"] = "10000000"
        env["ADREEL_RATE_LIMIT_BURST"] = "1000000"
        env["ADREEL_WS_MAX_CONNECTIONS_PER_KEY"] = str(max(100, args.clients * 2))
        serve = [*CLI, "serve"]
        if args.scale_out:
            asyncio.run(create_database(args.pg_admin_url, database))
            admin = args.pg_admin_url.rsplit("/", 1)[0].replace(
                "postgresql://", "postgresql+asyncpg://"
            )
            env["ADREEL_DATABASE_URL"] = f"{admin}/{database}"
            env["ADREEL_REDIS_URL"] = args.redis_url
            env["ADREEL_BUS_CHANNEL_PREFIX"] = f"load-{uuid.uuid4().hex[:8]}:"
            serve += ["--workers", str(args.workers)]
        try:
            if args.scale_out:
                subprocess.run(
                    [*CLI, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True
                )
            key = subprocess.run(
                [*CLI, "keys", "create", "--org", "load"],
                env=env, cwd=ROOT, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]  # fmt: skip
            job = subprocess.run(
                [sys.executable, str(ROOT / "bench" / "bench_subscriptions.py"), "--publisher",
                 "seed", "--key", key],
                env=env, cwd=ROOT, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]  # fmt: skip
            job_gid = base64.urlsafe_b64encode(f"Job:{job}".encode()).decode().rstrip("=")
            port = free_port()
            env["ADREEL_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
            server = subprocess.Popen(
                [*serve, "--port", str(port)],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                base = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if httpx.get(f"{base}/healthz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError("server did not start")
                    time.sleep(0.2)
                return asyncio.run(drive(args, base, key, server.pid, job_gid))
            finally:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
        finally:
            if args.scale_out:
                asyncio.run(create_database(args.pg_admin_url, database, drop=True))


if __name__ == "__main__":
    raise SystemExit(main())
