"""The whole pipeline on the embedded runner (SQLite), driven through the GraphQL API.

The finished ad is checked by decoding it: frame-exact duration, size and shape, audio when
music is given, loudness at the web target, and every CONTINUE scene opening on the previous
clip's exact last frame. Renders stay small (``ADREEL_RENDER_RESOLUTION=P480``, a few seconds).
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from domain.bootstrap import Container
from domain.enums import AssetRole, JobStage
from domain.models import Asset, Job, Scene
from domain.models.pipeline import ProviderCall, ProviderCallStatus, StageRun, StageRunOutcome
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import Api
from tests.support.graph import payload
from tests.support.pipeline import (
    APPROVE,
    CANCEL,
    EXPORT,
    create_job,
    decode,
    download,
    frames_rgb,
    integrated_loudness,
    job_state,
    make_brand,
    png_rgb,
    processes_mentioning,
    psnr,
    rendering_settings,
    wait_for_job,
)

pytestmark = pytest.mark.slow

FRAME = 1 / 30


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(
        data_dir, retry_base_seconds=0.2, retry_max_seconds=1.0, scene_concurrency=2
    )


def job_uuid(job_id: str) -> uuid.UUID:
    return decode_id(job_id, "Job", "jobId")


async def check_continuity(http: httpx.AsyncClient, job: dict[str, Any], tmp: Path) -> int:
    """Every CONTINUE scene's first frame is the previous clip's last frame (PSNR > 40 dB);
    returns how many CONTINUE scenes were checked."""
    scenes = sorted(job["scenes"], key=lambda s: s["position"])
    checked = 0
    for index, scene in enumerate(scenes):
        if scene["continuity"] != "CONTINUE":
            continue
        previous = scenes[index - 1]
        before = frames_rgb(
            await download(http, previous["clip"]["url"], tmp / f"c{index - 1}.mp4")
        )
        after = frames_rgb(await download(http, scene["clip"]["url"], tmp / f"c{index}.mp4"))
        assert psnr(after[0], before[-1]) > 40, f"scene {index} does not open on the last frame"
        stored = png_rgb(await download(http, previous["lastFrame"]["url"], tmp / f"l{index}.png"))
        assert psnr(stored, before[-1]) > 40, "the stored last frame is not the clip's last frame"
        assert psnr(after[0], after[-1]) < 40, "the clip does not move"
        checked += 1
    return checked


async def test_brief_to_finished_ad_and_export(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit")
    job_id = await create_job(
        api,
        brand,
        durationSeconds=8.0,
        sceneCount=5,
        assetIds=[brand.logo, brand.products[0]],
        brief={
            "product": "TrailRunner shoes",
            "callToAction": "It's 50% off: now, [today]; C:\\path",
        },
    )
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)

    # the default output: MP4 H.264/AAC at the job's aspect ratio, exact length, loud enough
    output = job["output"]
    assert output["status"] == "COMPLETED" and output["resolution"] == "P480"
    ad = await download(http, output["asset"]["url"], tmp_path / "ad.mp4")
    decoded = decode(ad)
    assert (decoded.width, decoded.height) == (480, 854)
    assert abs(decoded.width / decoded.height - 9 / 16) < 0.01
    assert abs(decoded.seconds - 8.0) <= FRAME + 1e-9
    assert decoded.has_audio
    assert abs(integrated_loudness(ad) - (-14.0)) <= 1.0

    # scenes: all rendered, durations sum to the request, CONTINUE scenes chain exactly
    scenes = job["scenes"]
    assert len(scenes) == 5 and all(s["status"] == "RENDERED" for s in scenes)
    assert abs(sum(s["durationSeconds"] for s in scenes) - 8.0) < 1e-6
    assert await check_continuity(http, job, tmp_path) >= 1

    # an export: another shape and format from the same composition
    body = payload(
        await api(
            EXPORT,
            {"input": {"jobId": job_id, "format": "WEBM", "resolution": "P480",
                       "aspectRatio": "SQUARE_1_1", "quality": "FAST"}},
        ),
        "exportJob",
    )  # fmt: skip
    assert body["userErrors"] == [], body
    render_id = body["render"]["id"]
    for _ in range(600):
        job = await job_state(api, job_id)
        render = next(r for r in job["renders"] if r["id"] == render_id)
        if render["status"] in ("COMPLETED", "FAILED"):
            break
        await asyncio.sleep(0.25)
    assert render["status"] == "COMPLETED", render
    assert job["status"] == "COMPLETED" and job["progress"] == 1.0
    exported = decode(await download(http, render["asset"]["url"], tmp_path / "square.webm"))
    assert (exported.width, exported.height) == (480, 480)
    assert abs(exported.seconds - 8.0) <= FRAME + 1e-9
    assert exported.has_audio

    # nothing was made twice: one provider call per output, each made once; one run per stage
    async with container.session_factory() as session:
        calls = list(
            await session.scalars(
                select(ProviderCall).where(ProviderCall.job_id == job_uuid(job_id))
            )
        )
        assert len(calls) == 1 + 5 + 5
        assert all(c.status is ProviderCallStatus.SUCCEEDED and c.attempts == 1 for c in calls)
        runs = list(
            await session.scalars(select(StageRun).where(StageRun.job_id == job_uuid(job_id)))
        )
        completed = [r.stage for r in runs if r.outcome is StageRunOutcome.COMPLETED]
        assert sorted(completed) == sorted([*JobStage, JobStage.RENDER])  # + the export run
        clips = await session.scalar(
            select(func.count())
            .select_from(Asset)
            .where(Asset.job_id == job_uuid(job_id), Asset.role == AssetRole.CLIP)
        )
        assert clips == 5
    # scratch space is cleaned after every stage
    work = container.settings.pipeline_work_dir
    assert not work.exists() or list(work.iterdir()) == []


async def test_stored_file_deleted_mid_job_fails_clearly(
    api: Api, container: Container, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    job_id = await create_job(api, brand, durationSeconds=5.0, autoApprove=False)
    await wait_for_job(api, job_id, {"STORYBOARD_READY"}, timeout=300)
    async with container.session_factory() as session:
        scene = await session.scalar(
            select(Scene).where(Scene.job_id == job_uuid(job_id), Scene.position == 1)
        )
        assert scene is not None and scene.image_asset_id is not None
        image = await session.get(Asset, scene.image_asset_id)
        assert image is not None and image.storage_key is not None
    await container.storage.delete(image.storage_key)

    body = payload(await api(APPROVE, {"input": {"jobId": job_id}}), "approveStoryboard")
    assert body["userErrors"] == [], body
    job = await wait_for_job(api, job_id, {"FAILED"}, timeout=300)
    error = job["error"]
    assert error["code"] == "ASSET_MISSING" and error["stage"] == "CLIPS"
    assert error["retryable"] is False
    assert "missing from storage" in error["message"]
    # the server is fine: the job can still be read and other jobs still run
    assert (await job_state(api, job_id))["status"] == "FAILED"


async def test_cancel_kills_running_work_and_cleans_up(
    api: Api, container: Container, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    job_id = await create_job(api, brand, durationSeconds=30.0, sceneCount=3)
    # wait until a clip is being rendered by ffmpeg
    for _ in range(1200):
        job = await job_state(api, job_id)
        if any(s["status"] == "RENDERING" for s in job["scenes"]) and processes_mentioning(
            str(container.settings.pipeline_work_dir)
        ):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"no clip started rendering: {job}")
    body = payload(await api(CANCEL, {"input": {"jobId": job_id}}), "cancelJob")
    assert body["userErrors"] == [] and body["job"]["status"] == "CANCELED", body

    work = container.settings.pipeline_work_dir

    async def lease_released() -> bool:
        async with container.session_factory() as session:
            row = await session.get(Job, job_uuid(job_id))
            return row is not None and row.lease_owner is None

    for _ in range(200):  # the heartbeat notices within about two seconds
        if (
            not processes_mentioning(str(work))
            and (not work.exists() or not list(work.iterdir()))
            and await lease_released()
        ):
            break
        await asyncio.sleep(0.1)
    assert processes_mentioning(str(work)) == [], "an ffmpeg child outlived the cancel"
    assert not work.exists() or list(work.iterdir()) == [], "scratch files were left behind"
    assert await lease_released(), "the canceled stage kept its lease"
    async with container.session_factory() as session:
        row = await session.get(Job, job_uuid(job_id))
        assert row is not None
        run = await session.scalar(
            select(StageRun).where(StageRun.job_id == row.id, StageRun.stage == JobStage.CLIPS)
        )
        assert run is not None and run.outcome is StageRunOutcome.CANCELED
    assert (await job_state(api, job_id))["status"] == "CANCELED"


async def test_budget_stops_before_the_call_that_would_cross_it(
    api: Api, container: Container, tmp_path: Path
) -> None:
    from tests.support.priced import install_priced_images

    install_priced_images(container, charged=Decimal("0.08"), listed="0.05")
    container.settings.scene_concurrency = 1  # one call in flight: the arithmetic is exact
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    # 4 scenes at a listed $0.05 per key image: estimate $0.20, the budget exactly that
    job_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=4, budgetUsd=0.20)
    job = await wait_for_job(api, job_id, {"FAILED"}, timeout=300)
    assert job["error"]["code"] == "BUDGET_EXCEEDED" and job["error"]["stage"] == "STORYBOARD"
    # two images at the real $0.08 each, then $0.16 + $0.05 would pass $0.20: the third is
    # refused before it is made
    assert job["cost"]["actualUsd"] == pytest.approx(0.16)
    async with container.session_factory() as session:
        made = await session.scalar(
            select(func.count())
            .select_from(ProviderCall)
            .where(
                ProviderCall.job_id == job_uuid(job_id),
                ProviderCall.operation == "image",
                ProviderCall.attempts > 0,
            )
        )
        assert made == 2


async def test_actual_cost_over_estimate_emits_one_variance_event(
    api: Api, container: Container, tmp_path: Path
) -> None:
    from tests.support.priced import install_priced_images

    install_priced_images(container, charged=Decimal("0.08"), listed="0.05")
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    job_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3)
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=300)
    assert job["cost"]["estimatedUsd"] == pytest.approx(0.15)
    assert job["cost"]["actualUsd"] == pytest.approx(0.24)
    assert job["cost"]["varianceRatio"] == pytest.approx(0.6)
    events = await api(
        """query($id: ID!) { node(id: $id) { ... on Job { events(first: 100) {
            edges { node { type } } } } } }""",
        {"id": job_id},
    )
    types = [e["node"]["type"] for e in events["data"]["node"]["events"]["edges"]]
    assert types.count("COST_VARIANCE") == 1


async def test_retryable_provider_errors_back_off_and_recover(
    api: Api, container: Container, tmp_path: Path
) -> None:
    from tests.support.priced import install_flaky_images

    flaky = install_flaky_images(container, failures=2)
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    job_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3)
    await wait_for_job(api, job_id, {"COMPLETED"}, timeout=300)
    assert flaky.failed == 2
    async with container.session_factory() as session:
        attempts = sorted(
            await session.scalars(
                select(ProviderCall.attempts).where(
                    ProviderCall.job_id == job_uuid(job_id), ProviderCall.operation == "image"
                )
            )
        )
        assert sum(attempts) == 3 + 2  # three images, two of the requests failed and were retried


async def test_non_retryable_provider_error_fails_the_scene_and_job(
    api: Api, container: Container, tmp_path: Path
) -> None:
    from tests.support.priced import install_flaky_images

    install_flaky_images(container, failures=1, retryable=False)
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    job_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3)
    job = await wait_for_job(api, job_id, {"FAILED"}, timeout=300)
    assert job["error"]["code"] == "CONTENT_POLICY" and job["error"]["retryable"] is False
    failed = [s for s in job["scenes"] if s["status"] == "FAILED"]
    assert len(failed) == 1 and failed[0]["error"]["code"] == "CONTENT_POLICY"


async def test_restart_resumes_an_interrupted_job(settings: Settings, tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from domain.bootstrap import build_container
    from domain.models.base import utcnow
    from server import create_app
    from tests.conftest import new_key

    container = await build_container(settings, migrate=True)
    try:
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://adreel.test"
            ) as http:
                api = Api(http, await new_key(container, "restart"))
                brand = await make_brand(api, tmp_path / "kit", music_seconds=8)
                job_id = await create_job(
                    api, brand, durationSeconds=8.0, sceneCount=5,
                    assetIds=[brand.logo, brand.products[0]],
                )  # fmt: skip
                for _ in range(2400):
                    state = await job_state(api, job_id)
                    if any(s["status"] == "RENDERED" for s in state["scenes"]):
                        break
                    await asyncio.sleep(0.05)
                assert state["status"] == "RENDERING", state
        # the server goes away mid-clips; make it look like a crash: the lease is left behind
        assert container.queue is not None
        await container.queue.stop()
        container.queue = None
        job = job_uuid(job_id)
        async with container.session_factory() as session:
            await session.execute(
                update(Job)
                .where(Job.id == job)
                .values(
                    lease_owner="embedded:gone:1:x", lease_expires_at=utcnow() + timedelta(hours=1)
                )
            )
            await session.commit()
            stored_before = await session.scalar(
                select(func.count())
                .select_from(Scene)
                .where(Scene.job_id == job, Scene.clip_asset_id.is_not(None))
            )
        (settings.pipeline_work_dir / "leftover-from-the-crash").mkdir(parents=True)

        app = create_app(settings, container)  # the restart: resumes the job on start
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://adreel.test"
            ) as http:
                api = Api(http, api.key)
                final = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
                assert await check_continuity(http, final, tmp_path) >= 1
        async with container.session_factory() as session:
            runs = list(
                await session.scalars(
                    select(StageRun).where(StageRun.job_id == job, StageRun.stage == JobStage.CLIPS)
                    .order_by(StageRun.created_at)
                )
            )  # fmt: skip
            clips = await session.scalar(
                select(func.count()).select_from(Asset).where(
                    Asset.job_id == job, Asset.role == AssetRole.CLIP
                )
            )  # fmt: skip
        assert [r.outcome for r in runs] == [StageRunOutcome.INTERRUPTED, StageRunOutcome.COMPLETED]
        assert stored_before is not None and runs[1].reused >= stored_before >= 1
        assert clips == 5
        assert not (settings.pipeline_work_dir / "leftover-from-the-crash").exists()
    finally:
        if container.queue is not None:
            await container.queue.stop()
        await container.close()
