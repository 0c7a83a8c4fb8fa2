"""Many live subscribers on one API process, fed through Redis by a publisher in another process.

One ``adreel serve`` process (Redis bus), one publisher process recording job events in the
database and publishing them after commit at a steady rate (as a pipeline worker does), and the
WebSocket subscribers (graphql-transport-ws, ``jobEvents``) spread over ``--client-processes``
receiver processes (``bench.subscription_receiver``), so one client event loop does not set the
latency measured; the raw Redis subscriber has a process of its own. Every process stamps times on
the system-wide monotonic clock. Prints events
published, events delivered (must be published x subscribers), publish-to-receipt latency p50/p99
and the server's memory, as ratios against baselines measured in the same run: one subscriber
through the same API, a raw Redis pub/sub subscriber (the floor), and the idle server. Usage:

    .venv/bin/python bench/bench_subscriptions.py [--subscribers 1000] [--rate 10] [--seconds 20]
        [--jobs 1000] [--client-processes 4]

Needs Redis (``--redis-url``, default the local one); the database is a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procfs import PeakRss, free_port, tree, tree_cpu, tree_rss  # noqa: E402

# ----------------------------------------------------------------------- helpers


async def settle(pid: int, quiet: float = 0.05, window: float = 1.0, limit: float = 120) -> None:
    """Wait until ``pid`` and its children used under ``quiet`` of a core over ``window``
    seconds (at most ``limit``)."""
    deadline = time.monotonic() + limit
    await asyncio.sleep(window)
    while time.monotonic() < deadline:
        before = server_cpu(pid)
        await asyncio.sleep(window)
        if server_cpu(pid) - before < quiet * window:
            return


def server_cpu(pid: int) -> float:
    """CPU time of the server: its process and, with ``--server-processes``, its workers."""
    return tree_cpu(tree(pid))


def server_rss(pid: int) -> int:
    """Resident memory of the server's processes."""
    return tree_rss(tree(pid))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def mib(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


# ----------------------------------------------------------------------- publisher role


async def _seed(key: str, jobs: int = 1) -> str:
    """Create a client, campaign and ``jobs`` jobs for the key's organization; return the jobs'
    UUIDs, comma-separated."""
    from domain.bootstrap import build_container
    from domain.enums import AspectRatio, JobEventType
    from domain.models import Campaign, Client, Job
    from domain.services.events import record_job_event
    from domain.services.tenancy import authenticate
    from domain.services.unit_of_work import UnitOfWork
    from domain.settings import Settings

    container = await build_container(Settings())
    try:
        async with container.session_factory() as session:
            principal = await authenticate(session, f"Bearer {key}")
            org = principal.organization_id
            name = f"bench-{uuid.uuid4().hex[:8]}"  # seeded more than once per organization
            client = Client(organization_id=org, name=name, name_key=name)
            session.add(client)
            await session.flush()
            campaign = Campaign(
                organization_id=org, client_id=client.id, name="Bench", name_key="bench"
            )
            session.add(campaign)
            await session.flush()
            ids = []
            for _ in range(jobs):
                job = Job(
                    organization_id=org,
                    campaign_id=campaign.id,
                    brief={"product": "Bench", "prompt": "bench"},
                    duration_seconds=15.0,
                    aspect_ratio=AspectRatio.LANDSCAPE_16_9,
                )
                session.add(job)
                await session.flush()
                await record_job_event(session, job, JobEventType.JOB_CREATED)
                ids.append(str(job.id))
            await UnitOfWork.of(session).commit()
            return ",".join(ids)
    finally:
        await container.close()


async def _publish(job_ids: str, count: int, rate: float, final: bool) -> dict[str, Any]:
    """Record and publish ``count`` events on each job (comma-separated UUIDs) at ``rate`` per
    second, all jobs' events of one tick in one transaction; return publish times by
    ``job:sequence``."""
    from sqlalchemy import select

    from domain.bootstrap import build_container
    from domain.enums import JobEventType, JobStatus
    from domain.models import Job
    from domain.services.events import event_message, job_channel, record_job_event
    from domain.settings import Settings

    container = await build_container(Settings())
    await container.bus.start()
    keys = [uuid.UUID(job_id) for job_id in job_ids.split(",")]
    published: dict[str, int] = {}
    try:
        started = time.monotonic()
        for i in range(count + (1 if final else 0)):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            last = final and i == count
            events = []
            async with container.session_factory() as session:
                for job in await session.scalars(select(Job).where(Job.id.in_(keys))):
                    job.progress = 1.0 if last else (i + 1) / (count + 1)
                    if last:
                        job.status = JobStatus.COMPLETED
                    await session.flush()
                    event = await record_job_event(
                        session,
                        job,
                        JobEventType.JOB_COMPLETED if last else JobEventType.PROGRESS,
                        f"event {i}",
                    )
                    events.append(event)
                await session.commit()
            # Publish after commit, as the unit of work does; the clock starts here.
            for event in events:
                sent = time.monotonic_ns()
                await container.bus.publish(job_channel(event.job_id), event_message(event))
                published[f"{event.job_id}:{event.sequence}"] = sent
        return {"published": published, "elapsed": time.monotonic() - started}
    finally:
        await container.close()


def publisher_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["seed", "publish"])
    parser.add_argument("--key")
    parser.add_argument("--job")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--final", action="store_true")
    args = parser.parse_args(argv)
    if args.action == "seed":
        print(asyncio.run(_seed(args.key, args.jobs)))
    else:
        print(json.dumps(asyncio.run(_publish(args.job, args.count, args.rate, args.final))))
    return 0


# ----------------------------------------------------------------------- receivers


class Receiver:
    """A receiver process (``bench.subscription_receiver``) holding some of a phase's sockets."""

    def __init__(self, proc: asyncio.subprocess.Process, result_path: Path) -> None:
        self.proc = proc
        self.result_path = result_path

    @classmethod
    async def start(cls, env: dict[str, str], task: dict[str, Any]) -> Receiver:
        handle, name = tempfile.mkstemp(prefix="adreel-receipts-", suffix=".json")
        os.close(handle)
        task = {**task, "result_path": name}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.subscription_receiver",
            env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            limit=1 << 30,
        )  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(task).encode() + b"\n")
        await proc.stdin.drain()
        return cls(proc, Path(task["result_path"]))

    async def ready(self) -> None:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if line.strip() != b"ready":
            raise RuntimeError(f"receiver failed before it was ready: {line[:300]!r}")

    async def received(self, last: int, final: bool) -> None:
        """Tell the receiver the last sequence; return once every socket has it (still open)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"last": last, "final": final}).encode() + b"\n")
        await self.proc.stdin.drain()
        line = await self.proc.stdout.readline()
        if line.strip() != b"received":
            raise RuntimeError(f"receiver failed before receiving everything: {line[:300]!r}")

    async def finish(self, last: int, final: bool) -> dict[str, Any]:
        """``received``, then the receiver closes its sockets: its receipts."""
        await self.received(last, final)
        return await self.result()

    async def result(self) -> dict[str, Any]:
        """The receipts, once the receiver (told the last sequence) closed its sockets."""
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        code = await self.proc.wait()
        if line.strip() != b"done":
            raise RuntimeError(f"receiver exited with {code} before writing its receipts")
        result: dict[str, Any] = json.loads(self.result_path.read_bytes())
        self.result_path.unlink()
        return result

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
        self.result_path.unlink(missing_ok=True)


# ----------------------------------------------------------------------- driver


@dataclass
class Phase:
    subscribers: int
    jobs: int
    published: dict[str, int]  # "job:sequence" -> publish time
    expected: int
    delivered: int
    latencies_ms: list[float]
    floor_ms: list[float]
    errors: list[str]
    server_cpu: float


def run_publisher(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, __file__, "--publisher", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


async def phase(
    *,
    env: dict[str, str],
    url: str,
    key: str,
    job_ids: list[str],
    after: str | None,
    subscribers: int,
    count: int,
    rate: float,
    final: bool,
    redis_url: str,
    prefix: str,
    server_pid: int,
    memory: dict[str, int],
    processes: int,
) -> tuple[Phase, str | None]:
    from domain.services.events import job_channel
    from schema.ids import encode_id

    jobs = [job_ids[i % len(job_ids)] for i in range(subscribers)]  # each subscriber's job
    gids = [str(encode_id("Job", uuid.UUID(job))) for job in jobs]
    n = max(1, min(processes, subscribers))
    shares = [list(range(k, subscribers, n)) for k in range(n)]  # subscriber indices per process
    common = {"url": url, "key": key, "after": after, "redis_url": redis_url}
    receivers: list[Receiver] = []
    started: list[Receiver] = []  # every process, killed on the way out
    try:
        for share in shares:  # one process after another: each connects its sockets in turn
            receiver = await Receiver.start(env, {**common, "gids": [gids[i] for i in share]})
            receivers.append(receiver)
            started.append(receiver)
            await receiver.ready()
        # the floor: a raw Redis subscriber in a process of its own, timed the same way
        channel = prefix + job_channel(uuid.UUID(job_ids[0]))
        floor = await Receiver.start(env, {**common, "gids": [], "floor": channel})
        started.append(floor)
        await floor.ready()
        # let every subscription go live on the server: its CPU goes quiet once they all did
        await settle(server_pid)
        memory["connected"] = server_rss(server_pid)

        args = ["publish", "--job", ",".join(job_ids), "--count", str(count), "--rate", str(rate)]
        if final:
            args.append("--final")
        cpu_before = server_cpu(server_pid)
        with PeakRss(server_pid, whole_tree=True) as peak:
            out = await asyncio.to_thread(run_publisher, env, *args)
            published: dict[str, int] = json.loads(out)["published"]
            last = max(int(k.split(":")[1]) for k in published)  # every job has as many events
            await asyncio.gather(*(r.received(last, final) for r in receivers))
        # read before the receivers close their sockets: closing is not delivering
        used_cpu = server_cpu(server_pid) - cpu_before
        results = await asyncio.gather(*(r.result() for r in receivers))
        floor_result = await floor.finish(last, False)
    finally:
        for receiver in started:
            receiver.kill()
    memory["peak"] = max(memory.get("peak", 0), peak.peak)

    delivered = 0
    latencies: list[float] = []
    cursor = None
    errors: list[str] = []
    for share, result in zip(shares, results, strict=True):
        for index, sequence, at in result["receipts"]:
            sent = published.get(f"{jobs[share[index]]}:{sequence}")
            if sent is not None:
                delivered += 1
                latencies.append((at - sent) / 1e6)
        cursor = next((c for c in reversed(result["cursors"]) if c), cursor)
        errors.extend(result["errors"])
    floor_times = {int(s): t for s, t in floor_result["floor"].items()}
    first = {int(k.split(":")[1]): t for k, t in published.items() if k.startswith(job_ids[0])}
    floor_ms = [(floor_times[s] - t) / 1e6 for s, t in first.items() if s in floor_times]
    expected = len(published) * subscribers // len(job_ids)
    outcome = Phase(
        subscribers, len(job_ids), published, expected, delivered, latencies, floor_ms, errors,
        used_cpu,
    )  # fmt: skip
    return outcome, cursor


async def drive(args: argparse.Namespace) -> int:
    import httpx

    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp:
        prefix = f"adreel-bench-{uuid.uuid4().hex[:8]}:"
        env = {
            **os.environ,
            "ADREEL_DATA_DIR": str(Path(tmp) / "var"),
            "ADREEL_ENV": "development",
            "ADREEL_REDIS_URL": args.redis_url,
            "ADREEL_BUS_CHANNEL_PREFIX": prefix,
            "ADREEL_QUEUE_NAME": f"{prefix}queue",
            "ADREEL_WS_MAX_CONNECTIONS_PER_KEY": str(max(args.subscribers, args.jobs) + 10),
            # every subscribe counts against the key's rate limit: let them all in at once
            "ADREEL_RATE_LIMIT_BURST": str(2 * (args.subscribers + args.jobs) + 100),
            "ADREEL_RATE_LIMIT_PER_MINUTE": str(60 * (args.subscribers + args.jobs) + 600),
        }
        for name in ("ADREEL_DATABASE_URL", "ADREEL_STORAGE_URL"):
            env.pop(name, None)
        cli = [sys.executable, "-c", "import sys, cli; sys.exit(cli.main())"]
        key = subprocess.run(
            [*cli, "keys", "create", "--org", "bench"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        job_id = run_publisher(env, "seed", "--key", key)
        many_jobs = (
            run_publisher(env, "seed", "--key", key, "--jobs", str(args.jobs)).split(",")
            if args.jobs
            else []
        )
        port = free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--workers", str(args.server_processes)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base) as client:
                for _ in range(600):
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.05)
            url = f"ws://127.0.0.1:{port}/graphql"
            memory: dict[str, int] = {"idle": server_rss(server.pid)}
            count = max(1, round(args.rate * args.seconds))
            common = dict(
                env=env, url=url, key=key, rate=args.rate, redis_url=args.redis_url,
                prefix=prefix, server_pid=server.pid, processes=args.client_processes,
            )  # fmt: skip
            base_memory: dict[str, int] = {}
            baseline, cursor = await phase(
                **common, job_ids=[job_id], after=None, subscribers=1, count=count,
                final=False,
                memory=base_memory,
            )  # fmt: skip
            main_memory: dict[str, int] = {}
            main, _ = await phase(
                **common, job_ids=[job_id], after=cursor, subscribers=args.subscribers,
                count=count, final=True, memory=main_memory,
            )  # fmt: skip
            spread: Phase | None = None
            if args.jobs:
                spread, _ = await phase(
                    **common, job_ids=many_jobs, after=None, subscribers=args.jobs,
                    count=count, final=True, memory={},
                )  # fmt: skip
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()

    report(args, baseline, main, memory["idle"], base_memory, main_memory)
    ok = main.delivered == main.expected and not main.errors
    if spread is not None:
        report_spread(spread, baseline)
        ok = ok and spread.delivered == spread.expected and not spread.errors
    return 0 if ok else 1


def report_spread(spread: Phase, baseline: Phase) -> None:
    """The case of many jobs, each watched by one subscriber (nothing to share between them)."""
    p50, p99 = percentile(spread.latencies_ms, 0.5), percentile(spread.latencies_ms, 0.99)
    b50, b99 = percentile(baseline.latencies_ms, 0.5), percentile(baseline.latencies_ms, 0.99)
    print()
    print(f"{spread.jobs} jobs, one subscriber each ({len(spread.published)} events published,"
          f" {spread.delivered} delivered, expected {spread.expected}:"
          f" {'OK' if spread.delivered == spread.expected else 'MISSING'})")  # fmt: skip
    if spread.errors:
        print(f"  subscriber errors {len(spread.errors)}: {spread.errors[:3]}")
    print(f"  publish -> receipt       {p50:7.2f} ms {p99:7.2f} ms")
    print(f"  ratio to 1 subscriber    {p50 / b50:6.1f}x    {p99 / b99:6.1f}x")
    cpu = spread.server_cpu / max(1, spread.delivered) * 1e6
    print(f"  server CPU {spread.server_cpu:.2f} s, {cpu:.0f} us per delivery")


def report(
    args: argparse.Namespace,
    baseline: Phase,
    main: Phase,
    idle: int,
    base_memory: dict[str, int],
    main_memory: dict[str, int],
) -> None:
    published = len(main.published)
    expected = main.expected
    p50, p99 = percentile(main.latencies_ms, 0.5), percentile(main.latencies_ms, 0.99)
    b50, b99 = percentile(baseline.latencies_ms, 0.5), percentile(baseline.latencies_ms, 0.99)
    f50, f99 = percentile(main.floor_ms, 0.5), percentile(main.floor_ms, 0.99)
    serving = "one API process" if args.server_processes == 1 else f"{args.server_processes} API processes"  # fmt: skip
    print(f"subscribers            {main.subscribers} ({serving}, Redis bus)")
    print(f"client                 {args.client_processes} receiver processes"
          " (+1 for the raw Redis floor)")  # fmt: skip
    print(f"machine                {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"rate                   {args.rate:g} events/s from a separate publisher process")
    print(f"events published       {published}")
    print(f"events delivered       {main.delivered}  (expected {published} x {main.subscribers}"
          f" = {expected}: {'OK' if main.delivered == expected else 'MISSING'})")  # fmt: skip
    if main.errors:
        print(f"subscriber errors      {len(main.errors)}: {main.errors[:3]}")
    print()
    n = main.subscribers
    print(f"{'publish -> receipt latency':<32}{'p50':>7}{'p99':>11}")
    for label, a, b, unit in (
        ("raw Redis pub/sub (floor)", f50, f99, "ms"),
        ("API, 1 subscriber", b50, b99, "ms"),
        (f"API, {n} subscribers", p50, p99, "ms"),
        (f"ratio {n} subs / 1 sub", p50 / b50, p99 / b99, "x"),
        (f"ratio {n} subs / Redis floor", p50 / f50, p99 / f99, "x"),
    ):
        print(f"  {label:<30}{a:7.2f} {unit:<3}{b:7.2f} {unit}")
    print()
    main_cpu = main.server_cpu / max(1, main.delivered) * 1e6
    window = len(main.published) / args.rate
    print("server CPU while publishing (user+system)")
    print(
        f"  {main.server_cpu:.2f} s over ~{window:.0f} s = {main.server_cpu / window:.0%} of one core"
    )
    print(
        f"  {main_cpu:.0f} us per delivery => about {1e6 / main_cpu:,.0f} deliveries per CPU-second"
    )
    print()
    connected = main_memory.get("connected", 0)
    peak = main_memory.get("peak", 0)
    print("server RSS")
    print(f"  idle                       {mib(idle)}")
    print(f"  1 subscriber, peak         {mib(base_memory.get('peak', 0))}")
    print(f"  {main.subscribers} subscribers, connected {mib(connected)}"
          f"  ({connected / idle:.2f}x idle)")  # fmt: skip
    print(f"  {main.subscribers} subscribers, peak      {mib(peak)}  ({peak / idle:.2f}x idle,"
          f" {(peak - idle) / main.subscribers / 1024:.1f} KiB per subscriber)")  # fmt: skip
    if main.latencies_ms:
        print()
        print(f"latency mean {statistics.fmean(main.latencies_ms):.2f} ms,"
              f" max {max(main.latencies_ms):.2f} ms over {len(main.latencies_ms)} deliveries")  # fmt: skip


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--publisher":
        return publisher_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=2.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--jobs", type=int, default=1000, help="then as many jobs, one subscriber each (0: skip)"
    )
    parser.add_argument(
        "--client-processes",
        type=int,
        default=4,
        help="receiver processes the subscribers are spread over",
    )
    parser.add_argument(
        "--server-processes",
        type=int,
        default=1,
        help="API processes (adreel serve --workers N); the subscribers spread over them",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    return asyncio.run(drive(args))


if __name__ == "__main__":
    sys.exit(main())
