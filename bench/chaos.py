"""Chaos harness: crash workers and restart Redis, PostgreSQL and S3 under real jobs.

Runs the scale-out setup on loopback: a private PostgreSQL cluster (or, where one cannot be
made, a database on the shared server and no PostgreSQL restart), a private Redis, an
S3-compatible server, the API (uvicorn) and ``adreel worker`` subprocesses, with hosted image
and video generation served by the priced fake of Replicate's API.

Part 1 SIGKILLs the worker that holds a job's lease at N moments spread over every stage, a
new worker taking its place each time, and prints how many jobs completed, duplicate outputs
(more than one stored clip or key image for a scene, more than one ad for a job), repeated paid
calls (predictions made beyond one per ledgered call) and the orphaned objects the storage
sweep then removed. Part 2 restarts Redis, then PostgreSQL, then the S3 server in the middle of
jobs watched by subscribers that reconnect with their last cursor, and prints whether the jobs
completed and whether any subscriber missed an event.

    .venv/bin/python bench/chaos.py [--kills 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from domain.bootstrap import Container, build_container  # noqa: E402
from domain.enums import AssetRole, AssetStatus  # noqa: E402
from domain.errors import ServiceUnavailable  # noqa: E402
from domain.models import Asset, Job, JobEvent, Scene  # noqa: E402
from domain.models.pipeline import ProviderCall, ProviderCallStatus  # noqa: E402
from domain.settings import Settings  # noqa: E402
from schema.ids import decode_id  # noqa: E402
from tests.conftest import Api, create_pg_database, drop_pg_database, new_key  # noqa: E402
from tests.support import pg_cluster  # noqa: E402
from tests.support.fake_replicate import FakeReplicate, image_model, video_model  # noqa: E402
from tests.support.live_server import serve, ws_url  # noqa: E402
from tests.support.pipeline import Brand, create_job, make_brand, worker_env  # noqa: E402
from tests.support.provider_media import model_clip  # noqa: E402
from tests.support.redis_server import RedisServer, free_port  # noqa: E402
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, make_bucket  # noqa: E402

IMAGES = "replicate:acme/flux-test"
VIDEOS = "replicate:acme/i2v-test"
FINAL = {"COMPLETED", "FAILED", "CANCELED"}
#: Where a kill lands, in turn: each stage of the pipeline (and the first moments of a job).
KILL_AT = ["PLAN", "STORYBOARD", "CLIPS", "COMPOSE", "RENDER"]
EVENTS = """subscription($id: ID!, $after: String) {
  jobEvents(jobId: $id, after: $after) { sequence cursor status } }"""


class Workers:
    """``adreel worker`` subprocesses; ``kill`` SIGKILLs one and starts another in its place."""

    def __init__(self, env: dict[str, str], logs: Path, count: int) -> None:
        self.env, self.logs = env, logs
        self.processes: list[subprocess.Popen[bytes]] = []
        for _ in range(count):
            self.spawn()

    def spawn(self) -> None:
        log = (self.logs / f"worker-{len(self.processes) + 1}.log").open("ab")
        self.processes.append(
            subprocess.Popen(
                [str(Path(sys.executable).parent / "adreel"), "worker"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def alive(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in self.processes if p.poll() is None]

    def kill(self, pid: int | None) -> None:
        alive = self.alive()
        victim = next((p for p in alive if p.pid == pid), None) or random.choice(alive)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        self.spawn()

    def stop(self) -> None:
        for process in self.alive():
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


async def job_row(container: Container, job: uuid.UUID) -> Job:
    """The job now; the harness itself waits out a database restart."""
    while True:
        try:
            async with container.session_factory() as session:
                row = await session.get(Job, job)
                assert row is not None
                return row
        except ServiceUnavailable:
            await asyncio.sleep(0.5)


def lease_pid(owner: str | None) -> int | None:
    parts = (owner or "").split(":")
    return int(parts[2]) if len(parts) >= 3 and parts[2].isdigit() else None


async def wait_final(container: Container, jobs: list[uuid.UUID], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = [(await job_row(container, j)).status.value for j in jobs]
        if all(s in FINAL for s in statuses):
            return
        await asyncio.sleep(1.0)


async def new_job(api: Api, brand: Brand) -> uuid.UUID:
    job_id = await create_job(
        api,
        brand,
        durationSeconds=6.0,
        sceneCount=3,
        assetIds=[brand.logo],
        providers={"image": IMAGES, "video": VIDEOS},
    )
    return decode_id(job_id, "Job", "jobId")


async def crash_figures(
    container: Container, jobs: list[uuid.UUID], replicate: FakeReplicate
) -> dict[str, int]:
    completed = duplicates = 0
    async with container.session_factory() as session:
        for job in jobs:
            row = await session.get(Job, job, populate_existing=True)
            assert row is not None
            completed += row.status.value == "COMPLETED"
            scenes = (await session.scalar(
                select(func.count()).select_from(Scene).where(Scene.job_id == job))) or 0  # fmt: skip
            for role, expected in ((AssetRole.CLIP, scenes), (AssetRole.STORYBOARD, scenes)):
                stored = await session.scalar(
                    select(func.count())
                    .select_from(Asset)
                    .where(Asset.job_id == job, Asset.role == role)
                    .where(Asset.status == AssetStatus.READY)
                )
                duplicates += max(0, (stored or 0) - expected)
            ads = await session.scalar(
                select(func.count(func.distinct(Asset.id)))
                .select_from(Asset)
                .where(Asset.job_id == job, Asset.role == AssetRole.RENDER)
            )
            duplicates += max(0, (ads or 0) - 1)
        used = set(
            await session.scalars(
                select(ProviderCall.external_id).where(
                    ProviderCall.job_id.in_(jobs),
                    ProviderCall.status == ProviderCallStatus.SUCCEEDED,
                    ProviderCall.external_id.is_not(None),
                )
            )
        )
    made = set(replicate.predictions)
    return {
        "jobs": len(jobs),
        "completed": completed,
        "duplicates": duplicates,
        "paid": len(made),
        # predictions paid for that no ledgered call used: made again instead of resumed
        "repeated": len(made - used),
    }


async def part_crashes(
    container: Container,
    api: Api,
    brand: Brand,
    workers: Workers,
    replicate: FakeReplicate,
    kills: int,
) -> dict[str, Any]:
    jobs: list[uuid.UUID] = []
    landed: collections.Counter[str] = collections.Counter()
    for i in range(kills):
        target = KILL_AT[i % len(KILL_AT)]
        job = await new_job(api, brand)
        jobs.append(job)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            row = await job_row(container, job)
            stage = row.stage.value if row.stage else row.status.value
            if row.status.value in FINAL:
                break
            if stage == target and row.lease_owner:
                pid_before = lease_pid(row.lease_owner)
                await asyncio.sleep(random.uniform(0.0, 0.5))  # somewhere inside the stage
                row = await job_row(container, job)
                landed[row.stage.value if row.stage else row.status.value] += 1
                workers.kill(lease_pid(row.lease_owner) or pid_before)
                print(f"  kill {i + 1}/{kills}: worker holding job {str(job)[:8]} in {target}")
                break
            await asyncio.sleep(0.05)
    await wait_final(container, jobs, timeout=900)
    figures: dict[str, Any] = dict(await crash_figures(container, jobs, replicate))
    figures["kills_by_stage"] = dict(landed)
    return figures


async def subscriber(
    base: str, key: str, job_id: str, seen: list[int], stats: dict[str, int]
) -> None:
    """Follow a job's events, reconnecting with the last cursor whenever the socket drops."""
    cursor: str | None = None
    while True:
        try:
            async with connect(
                ws_url(base),
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            ) as ws:
                await ws.send(
                    json.dumps(
                        {"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}
                    )
                )
                assert json.loads(await ws.recv())["type"] == "connection_ack"
                variables = {"id": job_id, "after": cursor}
                await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                          "payload": {"query": EVENTS, "variables": variables}}))  # fmt: skip
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] == "next" and message["payload"].get("data"):
                        event = message["payload"]["data"]["jobEvents"]
                        seen.append(event["sequence"])
                        cursor = event["cursor"]
                    elif message["type"] == "complete":
                        return
                    elif message["type"] == "error" or message["payload"].get("errors"):
                        break
        except Exception as exc:  # the socket dropped (a restart under it): resume from cursor
            status = getattr(getattr(exc, "response", None), "status_code", None)
            reason = f"dropped:{type(exc).__name__}" + (f" {status}" if status else "")
            stats[reason] = stats.get(reason, 0) + 1
        stats["reconnects"] += 1
        await asyncio.sleep(1.0)


async def part_outages(
    container: Container,
    api: Api,
    brand: Brand,
    base: str,
    key: str,
    redis: RedisServer,
    pg: pg_cluster.PgCluster | None,
    pg_skip: str | None,
    moto: ThreadedMotoServer,
) -> dict[str, Any]:
    jobs = [await new_job(api, brand) for _ in range(2)]
    from schema.ids import encode_id

    seen: dict[uuid.UUID, list[int]] = {j: [] for j in jobs}
    stats = {"reconnects": 0}
    watchers = [
        asyncio.create_task(subscriber(base, key, encode_id("Job", j), seen[j], stats))
        for j in jobs
    ]
    restarts: list[str] = []

    async def when_running(stage: str) -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            rows = [await job_row(container, j) for j in jobs]
            if any((r.stage.value if r.stage else "") == stage for r in rows):
                return
            if all(r.status.value in FINAL for r in rows):
                return
            await asyncio.sleep(0.1)

    await when_running("STORYBOARD")
    redis.stop()
    await asyncio.sleep(3.0)
    redis.start()
    restarts.append("Redis")
    await when_running("CLIPS")
    if pg is not None:
        await asyncio.to_thread(pg.stop)
        await asyncio.sleep(3.0)
        await asyncio.to_thread(pg.start)
        restarts.append("PostgreSQL")
    await when_running("COMPOSE")
    moto.stop()
    await asyncio.sleep(3.0)
    moto.start()
    restarts.append("S3")
    await wait_final(container, jobs, timeout=900)
    await asyncio.sleep(3.0)
    for watcher in watchers:
        watcher.cancel()
    lost = 0
    completed = 0
    async with container.session_factory() as session:
        for job in jobs:
            stored = set(await session.scalars(
                select(JobEvent.sequence).where(JobEvent.job_id == job)))  # fmt: skip
            lost += len(stored - set(seen[job]))
            row = await session.get(Job, job, populate_existing=True)
            completed += bool(row and row.status.value == "COMPLETED")
    return {
        "restarted": restarts,
        "pg_skipped": pg_skip,
        "jobs": len(jobs),
        "completed": completed,
        "lost_events": lost,
        "duplicate_events": sum(len(s) - len(set(s)) for s in seen.values()),
        "reconnects": stats["reconnects"],
        "drops": {k.split(":", 1)[1]: v for k, v in stats.items() if k.startswith("dropped:")},
    }


async def run(kills: int, workers_count: int) -> None:
    from server import create_app

    work = Path(tempfile.mkdtemp(prefix="adreel-chaos-"))
    redis = RedisServer()
    redis.start()
    pg_skip = pg_cluster.available()
    pg = None
    if pg_skip is None:
        pg = pg_cluster.PgCluster()
        pg.init()
        pg.start()
        database_url = pg.url
    else:
        database_url = await create_pg_database()
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto_port}"
    bucket = await make_bucket(endpoint)
    clip = model_clip(work / "model.mp4", size="288x512")
    replicate = FakeReplicate(video=clip, inline_outputs=True)
    replicate.add(image_model(polls=2), video_model(polls=6))
    values: dict[str, Any] = {
        "env": "test",
        "data_dir": work / "var",
        "database_url": database_url,
        "redis_url": redis.url,
        "queue_name": f"adreel:chaos:{uuid.uuid4().hex[:8]}",
        "storage_url": f"s3://{bucket}/chaos",
        "s3_endpoint_url": endpoint,
        "s3_access_key_id": ACCESS_KEY,
        "s3_secret_access_key": SECRET_KEY,
        "secret_key": "chaos-" + uuid.uuid4().hex,
        "public_url": "http://adreel.test",
        "render_resolution": "P480",
        "lease_seconds": 3.0,
        "sweep_interval_seconds": 1.0,
        "scene_concurrency": 1,
        "worker_health_seconds": 1.0,
        "outage_backoff_max_seconds": 2.0,
        "retry_base_seconds": 0.5,
        "retry_max_seconds": 2.0,
        "provider_prices": {
            "image": {IMAGES: {"per_call": 0.003}},
            "video": {VIDEOS: {"per_second": 0.05}},
        },
        "replicate_base_url": "",
        "replicate_image_model": "acme/flux-test",
        "replicate_video_model": "acme/i2v-test",
        "replicate_wait_seconds": 0,
        "replicate_poll_seconds": 0.3,
    }
    (work / "var").mkdir(parents=True)
    with replicate.running():
        values["replicate_base_url"] = replicate.base
        settings = Settings(**values, replicate_api_token=SecretStr(replicate.token))
        container = await build_container(settings, migrate=True)
        env = worker_env(**{k: (json.dumps(v) if isinstance(v, dict) else v)
                            for k, v in values.items()}, replicate_api_token=replicate.token)  # fmt: skip
        workers = Workers(env, work, workers_count)
        try:
            app = create_app(settings, container)
            async with serve(app) as base:
                async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                    key = await new_key(container, "chaos")
                    api = Api(http, key)
                    brand = await make_brand(api, work / "kit", music_seconds=8)
                    print(f"part 1: {kills} SIGKILLs of a worker, {workers_count} workers")
                    crashes = await part_crashes(container, api, brand, workers, replicate, kills)
                    from tasks.storage import sweep_container

                    swept = await sweep_container(container, grace_seconds=0)
                    print(f"  jobs completed {crashes['completed']}/{crashes['jobs']}, "
                          f"duplicate outputs {crashes['duplicates']}, "
                          f"repeated paid calls {crashes['repeated']} "
                          f"(of {crashes['paid']} predictions made)")  # fmt: skip
                    print(f"  kills by stage {crashes['kills_by_stage']}")
                    print(f"  storage sweep: {swept.scanned} objects, {len(swept.removed)} orphaned "
                          f"removed, {swept.partials} partial uploads aborted")  # fmt: skip
                    print("part 2: restarts in the middle of jobs")
                    outages = await part_outages(
                        container, api, brand, base, key, redis, pg, pg_skip, moto
                    )
                    print(f"  restarted {', '.join(outages['restarted'])}")
                    if pg_skip:
                        print(f"  PostgreSQL restart skipped: {pg_skip}")
                    print(f"  jobs completed {outages['completed']}/{outages['jobs']}, "
                          f"events lost by resuming subscribers {outages['lost_events']}, "
                          f"repeated {outages['duplicate_events']}, "
                          f"reconnections {outages['reconnects']} {outages['drops']}")  # fmt: skip
                    alive = len(workers.alive())
                    print(f"  workers alive at the end {alive}/{workers_count}")
        finally:
            workers.stop()
            await container.close()
            moto.stop()
            redis.cleanup()
            if pg is not None:
                pg.cleanup()
            else:
                await drop_pg_database(database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs in part 1")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the S3 server's request lines
    asyncio.run(run(args.kills, args.workers))


if __name__ == "__main__":
    main()
