"""Webhook deliveries on arq workers while another endpoint hangs, against the same run with that
endpoint answering at once (the baseline, measured in the same run).

A real Redis (``ADREEL_TEST_REDIS_URL`` or redis://127.0.0.1:6379/0, a unique queue name), a
SQLite database in a scratch directory and ``adreel worker``'s two lanes run in this process
(``tasks.worker.run_lanes``). Two receivers on loopback subscribe to job status changes: ``fast``
answers at once, ``slow`` answers at once in the baseline and hangs for the attempt's whole
deadline in the measured run. For each run the script records ``--events`` status changes of a
job and prints how long the fast receiver took to get each message (commit to receipt: median
and worst) and how many requests reached the slow one meanwhile. Isolation means the fast
figures stay those of the baseline (ratio near 1) and the hanging endpoint gets one request at a
time. Usage:

    .venv/bin/python bench/bench_webhook_lanes.py [--events 20] [--hang-seconds 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.adapters.queue.arq import ArqQueue  # noqa: E402
from domain.bootstrap import build_container, queue_routes  # noqa: E402
from domain.enums import AspectRatio, JobEventType, JobStatus, WebhookEventType  # noqa: E402
from domain.models import Campaign, Client, Job  # noqa: E402
from domain.services.events import record_job_event  # noqa: E402
from domain.services.tenancy import create_api_key  # noqa: E402
from domain.services.unit_of_work import UnitOfWork  # noqa: E402
from domain.services.webhooks.endpoints import create_endpoint  # noqa: E402
from domain.settings import Settings  # noqa: E402
from tasks.worker import run_lanes  # noqa: E402

REDIS_URL = os.environ.get("ADREEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Receivers:
    """``/fast`` answers at once; ``/slow`` hangs until ``release`` while ``hang`` is set."""

    def __init__(self) -> None:
        self.hang = threading.Event()
        self.release = threading.Event()
        self.fast_at: dict[str, float] = {}  # webhook-id -> receipt time
        self.slow_requests = 0
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def serve(self) -> Iterator[int]:
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/slow":
                    with state.lock:
                        state.slow_requests += 1
                    if state.hang.is_set():
                        state.release.wait(120)
                else:
                    with state.lock:
                        state.fast_at[self.headers["webhook-id"]] = time.monotonic()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(b"ok")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield server.server_address[1]
        finally:
            self.release.set()
            server.shutdown()
            server.server_close()


async def seed(settings: Settings, port: int) -> tuple[Any, uuid.UUID]:
    """A container on ``settings`` (arq queue), an organization with both endpoints, a job."""
    container = await build_container(
        settings,
        migrate=True,
        queue=ArqQueue(REDIS_URL, settings.queue_name, routes=queue_routes(settings)),
    )
    await container.start()
    async with container.session_factory() as session:
        org_id = (await create_api_key(session, f"bench-{uuid.uuid4().hex[:6]}")).organization.id
        client = Client(organization_id=org_id, name="Acme", name_key="acme")
        session.add(client)
        await session.flush()
        campaign = Campaign(organization_id=org_id, client_id=client.id, name="C", name_key="c")
        session.add(campaign)
        await session.flush()
        job = Job(
            organization_id=org_id, campaign_id=campaign.id, brief={"product": "Kettle"},
            duration_seconds=15.0, aspect_ratio=AspectRatio.LANDSCAPE_16_9,
        )  # fmt: skip
        session.add(job)
        for path in ("/fast", "/slow"):
            await create_endpoint(
                session, container.fetcher, org_id,
                url=f"http://127.0.0.1:{port}{path}",
                event_types=[WebhookEventType.JOB_STATUS_CHANGED],
            )  # fmt: skip
        await session.commit()
    return container, job.id


async def lanes_ready(settings: Settings) -> None:
    """Wait until both lanes' arq workers reported their health (they are polling)."""
    from redis.asyncio import Redis

    from domain.adapters.queue.arq import webhook_queue_name

    keys = [
        f"{q}:health-check" for q in (settings.queue_name, webhook_queue_name(settings.queue_name))
    ]
    redis = Redis.from_url(REDIS_URL)
    try:
        while await redis.exists(*keys) < len(keys):
            await asyncio.sleep(0.1)
    finally:
        await redis.aclose()


async def emit(container: Any, job_id: uuid.UUID, events: int) -> list[tuple[str, float]]:
    """Record ``events`` status changes; returns each fast message's id and commit time."""
    from sqlalchemy import select

    from domain.models import WebhookMessage

    sent: list[tuple[str, float]] = []
    statuses = [JobStatus.PLANNING, JobStatus.RENDERING]
    for n in range(events):
        async with container.session_factory() as session:
            uow = UnitOfWork(session, bus=container.bus, queue=container.queue)
            job = await session.get(Job, job_id)
            job.status = statuses[n % 2]
            await session.flush()
            await record_job_event(session, job, JobEventType.STATUS_CHANGED, f"event {n}")
            await uow.commit()
            committed = time.monotonic()
        async with container.session_factory() as session:
            newest = await session.scalar(
                select(WebhookMessage.id)
                .where(WebhookMessage.job_id == job_id)
                .order_by(WebhookMessage.sequence.desc())
                .limit(1)
            )
        sent.append((str(newest), committed))
        await asyncio.sleep(0.05)
    return sent


async def run(hang: bool, events: int, hang_seconds: float) -> tuple[list[float], int]:
    receivers = Receivers()
    if hang:
        receivers.hang.set()
    with receivers.serve() as port, tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            env="test", data_dir=Path(scratch), redis_url=REDIS_URL,
            queue_name=f"adreel:bench:{uuid.uuid4().hex}", worker_max_jobs=1,
            bus_channel_prefix=f"b{uuid.uuid4().hex[:8]}:",
            webhook_concurrency=4, webhook_timeout_seconds=hang_seconds,
            sweep_interval_seconds=1.0, fetch_allowed_networks=["127.0.0.1/32"],
            fetch_allowed_ports=[port],
        )  # fmt: skip
        container, job_id = await seed(settings, port)
        worker = asyncio.create_task(run_lanes(settings, "all"))
        try:
            await lanes_ready(settings)
            sent = await emit(container, job_id, events)
            deadline = time.monotonic() + 60
            while len(receivers.fast_at) < events and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            slow = receivers.slow_requests
        finally:
            receivers.release.set()
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await container.close()
    latencies = [receivers.fast_at[m] - t for m, t in sent if m in receivers.fast_at]
    return latencies, slow


def describe(name: str, latencies: list[float], slow: int, events: int) -> str:
    got = f"{len(latencies)}/{events}"
    if not latencies:
        return f"{name:<26} fast got {got}"
    median, worst = statistics.median(latencies) * 1000, max(latencies) * 1000
    return (
        f"{name:<26} fast got {got}  median {median:7.1f} ms  worst {worst:7.1f} ms  "
        f"slow requests meanwhile {slow}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--hang-seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2, help="baseline and hanging runs each")
    args = parser.parse_args()
    await run(False, 2, args.hang_seconds)  # warm-up: imports, first connections
    base: list[float] = []
    hung: list[float] = []
    for _ in range(args.rounds):  # interleaved, so both see the same machine load
        latencies, slow = await run(False, args.events, args.hang_seconds)
        print(describe("baseline (slow answers)", latencies, slow, args.events))
        base += latencies
        latencies, slow = await run(True, args.events, args.hang_seconds)
        print(describe("slow endpoint hangs", latencies, slow, args.events))
        hung += latencies
    if base and hung:
        ratio = statistics.median(hung) / statistics.median(base)
        print(f"fast median over all rounds, hanging / baseline: {ratio:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
