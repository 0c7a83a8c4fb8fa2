"""``exportBundle``: one streamed ZIP of several jobs' renders, captions and a manifest.

Jobs are moved through the pipeline's state changes without media (``tests.support.job_flow``);
their render files are random bytes put in storage, and the exports a bundle asks for are
"rendered" the same way while the bundle waits for them. The bundle task is the real one.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.bootstrap import Container, build_container
from domain.enums import AssetRole, JobStage
from domain.models import Asset, Bundle, Job, Render
from domain.ports.queue import BUILD_BUNDLE, RUN_STAGE
from domain.services import job_stages
from domain.services.unit_of_work import UnitOfWork
from domain.settings import Settings
from tasks.bundles import build_bundle
from tests.support.job_flow import Flow, key_of

ERRORS = "userErrors { field message code }"
CREATE_JOB = "mutation($i: CreateJobInput!) { createJob(input: $i) { job { id } " + ERRORS + " } }"
EXPORT_BUNDLE = (
    "mutation($i: ExportBundleInput!) { exportBundle(input: $i) { "
    "bundle { id status progress fileCount captions } " + ERRORS + " } }"
)
BUNDLE = """query($id: ID!) { node(id: $id) { ... on Bundle {
  id status progress fileCount error { code message } asset { url byteSize filename } } } }"""


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=None,
        render_resolution="P480",
        bundle_poll_seconds=0.1,
    )


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    """Stage runs are only recorded (the test makes the renders); bundles run for real."""

    async def run_stage(ctx: dict[str, Any], *, job_id: str, stage: str) -> None:
        return None

    c = await build_container(
        settings, migrate=True, tasks={RUN_STAGE: run_stage, BUILD_BUNDLE: build_bundle}
    )
    try:
        yield c
    finally:
        await c.close()


async def _store_bytes(container: Container, asset_id: uuid.UUID, size: int) -> None:
    """Give a generated asset real (random) bytes in storage."""
    async with container.session_factory() as session:
        asset = await session.get(Asset, asset_id)
        assert asset is not None and asset.storage_key
        await _write_bytes(container, asset, size)
        await session.commit()


async def _write_bytes(container: Container, asset: Asset, size: int) -> None:
    """Write ``size`` random bytes at the asset's key and record them on the row (uncommitted)."""
    assert asset.storage_key
    key = asset.storage_key

    async def chunks() -> AsyncIterator[bytes]:
        left = size
        while left:
            n = min(left, 256 * 1024)
            left -= n
            yield os.urandom(n)

    written = await container.storage.write(key, chunks())
    asset.byte_size, asset.sha256, asset.duration_seconds = size, written.sha256, 6.0


async def _finish_exports(container: Container, job_gid: str, size: int) -> None:
    """Render a completed job's queued exports like the RENDER stage does (bytes, no media)."""
    async with container.session_factory() as session:
        uow = UnitOfWork(session)
        job = await session.get(Job, key_of(job_gid))
        assert job is not None
        await job_stages.start_stage(session, job, JobStage.RENDER)
        for render in await job_stages.renders_to_make(session, job):
            await job_stages.render_started(session, job, render)
            made = await session.get(Asset, await _generated(session, job))
            assert made is not None
            # the file is whole before the render says COMPLETED, as in the RENDER stage
            await _write_bytes(container, made, size)
            await job_stages.render_completed(session, job, render, made.id)
        await job_stages.complete_stage(session, job, JobStage.RENDER)
        await uow.commit()


async def _generated(session: AsyncSession, job: Job) -> uuid.UUID:
    from tests.support.job_flow import _generated as generated

    return await generated(session, job, AssetRole.RENDER)


async def completed_jobs(api: Any, container: Container, count: int) -> list[str]:
    r = await api(
        "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
        {"i": {"name": "Acme", "brandColors": ["#FF5500"]}},
    )
    client = r["data"]["createClient"]["client"]["id"]
    r = await api(
        "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
        {"i": {"clientId": client, "name": "Launch"}},
    )
    campaign = r["data"]["createCampaign"]["campaign"]["id"]
    ids = []
    for n in range(count):
        r = await api(
            CREATE_JOB,
            {
                "i": {
                    "campaignId": campaign,
                    "brief": {"product": f"Kettle {n}", "callToAction": "Buy now"},
                    "durationSeconds": 6.0,
                    "aspectRatio": "PORTRAIT_9_16",
                    "sceneCount": 3,
                    "autoApprove": True,
                }
            },
        )
        job = r["data"]["createJob"]["job"]["id"]
        flow = Flow(container.session_factory, job)
        await flow.plan()
        assert await flow.storyboard() is JobStage.CLIPS
        await flow.after_approval()
        for render in await flow.renders():
            assert render.asset_id is not None
            await _store_bytes(container, render.asset_id, 200_000 + n)
        ids.append(job)
    return ids


async def wait_bundle(api: Any, bundle_id: str, statuses: set[str]) -> dict[str, Any]:
    """Poll until the bundle reaches one of ``statuses`` (a generous bound: zipping ten files
    through storage on a busy machine takes a while)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while True:
        r = await api(BUNDLE, {"id": bundle_id})
        node: dict[str, Any] = r["data"]["node"]
        if node["status"] in statuses:
            return node
        if loop.time() > deadline:
            raise AssertionError(f"bundle stayed {node['status']}")
        await asyncio.sleep(0.05)


async def test_bundle_of_ten_renders_renders_missing_ones_first(
    api: Any, http: httpx.AsyncClient, container: Container
) -> None:
    jobs = await completed_jobs(api, container, 5)
    r = await api(
        EXPORT_BUNDLE,
        {
            "i": {
                "jobIds": jobs,
                "renders": [
                    {"format": "MP4", "resolution": "P480"},  # the default outputs: made
                    {"format": "WEBM", "resolution": "P480", "aspectRatio": "SQUARE_1_1"},
                ],
                "captions": True,
            }
        },
    )
    body = r["data"]["exportBundle"]
    assert body["userErrors"] == [], body
    bundle = body["bundle"]
    assert bundle["fileCount"] == 10 and bundle["status"] == "RENDERING"
    # the WEBM exports were asked for; the bundle waits for them, its five made files counted
    # (as soon as its task has looked: on a busy machine that can take a moment)
    deadline = asyncio.get_running_loop().time() + 60
    waiting = await wait_bundle(api, bundle["id"], {"RENDERING"})
    while waiting["progress"] == 0 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
        waiting = await wait_bundle(api, bundle["id"], {"RENDERING", "COMPLETED"})
    assert waiting["progress"] == pytest.approx(0.45)
    async with container.session_factory() as session:
        queued = (await session.scalars(select(Render).where(Render.format == "WEBM"))).all()
        assert len(queued) == 5 and all(r.status.value == "QUEUED" for r in queued)
    for job in jobs:
        await _finish_exports(container, job, 150_000)
    done = await wait_bundle(api, bundle["id"], {"COMPLETED", "FAILED"})
    assert done["status"] == "COMPLETED", done
    assert done["progress"] == 1.0 and done["asset"]["filename"].endswith(".zip")

    parts = urlsplit(done["asset"]["url"])
    path = f"{parts.path}?{parts.query}"
    response = await http.get(path)
    assert response.status_code == 200
    data = response.content
    assert len(data) == done["asset"]["byteSize"]
    ranged = await http.get(path, headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206 and ranged.content == data[100:200]

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    files = manifest["files"]
    renders = [f for f in files if f["kind"] == "render"]
    captions = [f for f in files if f["kind"] == "captions"]
    assert len(renders) == 10 and len(captions) == 10
    assert sorted(archive.namelist()) == sorted([f["path"] for f in files] + ["manifest.json"])
    for entry in files:
        content = archive.read(entry["path"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert len(content) == entry["size"]
    assert {(f["format"], f["aspectRatio"]) for f in renders} == {
        ("MP4", "PORTRAIT_9_16"),
        ("WEBM", "SQUARE_1_1"),
    }
    assert {f["job"] for f in renders} == {str(key_of(j)) for j in jobs}
    assert all(f["durationSeconds"] == 6.0 for f in renders)
    srt = archive.read(next(f["path"] for f in captions if f["format"] == "SRT")).decode()
    assert srt.startswith("1\n00:00:0") and " --> " in srt


async def test_bundle_renders_with_and_without_captions(
    api: Any, http: httpx.AsyncClient, container: Container
) -> None:
    (job,) = await completed_jobs(api, container, 1)
    shapes = [
        {"format": "MP4", "resolution": "P480"},
        {"format": "MP4", "resolution": "P480", "captions": True},  # the job's own: the same
        {"format": "MP4", "resolution": "P480", "captions": False},
    ]
    r = await api(EXPORT_BUNDLE, {"i": {"jobIds": [job], "renders": shapes}})
    body = r["data"]["exportBundle"]
    assert body["userErrors"] == [] and body["bundle"]["fileCount"] == 2, body
    async with container.session_factory() as session:
        queued = (await session.scalars(select(Render).where(Render.captions.is_(False)))).all()
        assert len(queued) == 1 and queued[0].status.value == "QUEUED"
    await _finish_exports(container, job, 150_000)
    done = await wait_bundle(api, body["bundle"]["id"], {"COMPLETED", "FAILED"})
    assert done["status"] == "COMPLETED", done
    parts = urlsplit(done["asset"]["url"])
    archive = zipfile.ZipFile(io.BytesIO((await http.get(f"{parts.path}?{parts.query}")).content))
    renders = [f for f in json.loads(archive.read("manifest.json"))["files"]]
    names = {f["path"].split("/")[-1]: f["captionsBurnedIn"] for f in renders}
    assert names == {
        "ad-p480-portrait_9_16.mp4": True,
        "ad-p480-portrait_9_16-no-captions.mp4": False,
    }
    # asked again, the bundle takes the export made without captions, it does not make another
    r = await api(EXPORT_BUNDLE, {"i": {"jobIds": [job], "renders": shapes[2:]}})
    again = r["data"]["exportBundle"]
    assert again["userErrors"] == [], again
    async with container.session_factory() as session:
        rows = (await session.scalars(select(Render).where(Render.job_id == key_of(job)))).all()
        assert len(rows) == 2
        row = await session.get(Bundle, key_of(again["bundle"]["id"]))
        assert row is not None
        assert [item["render"] for item in row.items] == [str(queued[0].id)]


async def test_bundle_requests_are_checked(api: Any, container: Container) -> None:
    (job,) = await completed_jobs(api, container, 1)
    r = await api(
        EXPORT_BUNDLE,
        {"i": {"jobIds": [job, "bm9wZQ"], "renders": [{"format": "MP4"}]}},
    )
    codes = [e["code"] for e in r["data"]["exportBundle"]["userErrors"]]
    assert codes and r["data"]["exportBundle"]["bundle"] is None
    container.settings.bundle_max_files = 1
    r = await api(
        EXPORT_BUNDLE,
        {"i": {"jobIds": [job], "renders": [{"format": "MP4"}, {"format": "MOV"}]}},
    )
    assert r["data"]["exportBundle"]["userErrors"][0]["code"] == "INVALID"


async def test_a_lost_bundle_task_is_found_by_the_sweep_and_zipped_once(
    api: Any, container: Container
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from domain.enums import Resolution, VideoFormat
    from domain.models import Bundle as BundleRow
    from domain.models.base import utcnow
    from domain.services.bundles.liveness import claim_zipping
    from domain.services.bundles.requests import RenderShape, export_bundle
    from tasks.bundles import requeue_stale_bundles

    (job,) = await completed_jobs(api, container, 1)
    async with container.session_factory() as session:
        row = await session.get(Job, key_of(job))
        assert row is not None
        org_id = row.organization_id
        async with UnitOfWork(session, queue=None):  # the enqueue is lost
            bundle = await export_bundle(
                session, org_id, [key_of(job)], [RenderShape(VideoFormat.MP4, Resolution.P480)],
                captions=False, max_files=10,
            )  # fmt: skip
    assert await requeue_stale_bundles(container) == 0  # still fresh: its task may be alive
    async with container.session_factory() as session:
        await session.execute(
            update(BundleRow)
            .where(BundleRow.id == bundle.id)
            .values(updated_at=utcnow() - timedelta(hours=1))
        )
        await session.commit()
    assert await requeue_stale_bundles(container) == 1
    done = await wait_bundle(api, encode_bundle(bundle.id), {"COMPLETED", "FAILED"})
    assert done["status"] == "COMPLETED"
    async with container.session_factory() as session:
        # a second step cannot claim a bundle another live step zips, nor a finished one
        assert not await claim_zipping(session, bundle.id, 0.1)


def encode_bundle(bundle_id: uuid.UUID) -> str:
    from schema.ids import encode_id

    return str(encode_id("Bundle", bundle_id))
