"""A small job through the real pipeline stages with hosted providers: the OpenAI-compatible
planner and Replicate image and video models, faked as real HTTP APIs on loopback.

The providers are picked per job in the ``providers`` input and built from settings by the
registry (no test doubles inside the process): key images and clips come from the fake service's
outputs, are copied into Adreel's storage at once, and every call is in the ledger at the price
the price table gives for what was billed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from domain.adapters.fetch import UrlFetcher, loopback_exception
from domain.bootstrap import Container, build_container
from domain.enums import JobEventType
from domain.models import JobEvent
from domain.models.pipeline import ProviderCall, ProviderCallStatus
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import Api
from tests.support.fake_http import json_answer
from tests.support.fake_openai import FakeOpenAI
from tests.support.fake_replicate import FakeReplicate, image_model, video_model
from tests.support.pipeline import create_job, decode, download, make_brand, wait_for_job
from tests.support.provider_media import model_clip

pytestmark = pytest.mark.slow

FRAME = 1 / 30
PLANNER = "openai:fake-planner"
IMAGES = "replicate:acme/flux-test"
VIDEOS = "replicate:acme/i2v-test"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return model_clip(tmp_path_factory.mktemp("clip") / "model.mp4", size="288x512")


@pytest.fixture
def replicate(clip: bytes) -> Iterator[FakeReplicate]:
    service = FakeReplicate(video=clip, output_ttl=30.0)
    service.add(image_model(polls=1), video_model(polls=2))
    with service.running():
        yield service


@pytest.fixture
def openai() -> Iterator[FakeOpenAI]:
    service = FakeOpenAI()
    with service.running():
        yield service


@pytest.fixture
def settings(data_dir: Path, replicate: FakeReplicate, openai: FakeOpenAI) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'test.sqlite3'}",
        redis_url=None,
        public_url="http://adreel.test",
        secret_key="test-secret-" + uuid.uuid4().hex,
        render_resolution="P480",
        lease_seconds=5,
        sweep_interval_seconds=0.5,
        retry_base_seconds=0.2,
        retry_max_seconds=1.0,
        scene_concurrency=2,
        provider_prices={
            "planner": {PLANNER: {"per_call": 0.002}},
            "image": {IMAGES: {"per_call": 0.003}},
            "video": {VIDEOS: {"per_second": 0.05}},
        },
        openai_base_url=f"{openai.base}/v1",
        openai_api_key=SecretStr(openai.api_key),
        openai_model="fake-planner",
        replicate_api_token=SecretStr(replicate.token),
        replicate_base_url=replicate.base,
        replicate_image_model="acme/flux-test",
        replicate_video_model="acme/i2v-test",
        replicate_delivery_hosts=["127.0.0.1"],
        replicate_wait_seconds=1,
        replicate_poll_seconds=0.05,
    )


@pytest.fixture
async def container(settings: Settings, replicate: FakeReplicate) -> AsyncIterator[Container]:
    # provider outputs are fetched SSRF-safely; this one loopback port is the only exception
    fetcher = UrlFetcher(loopback_exception(replicate.port))
    built = await build_container(settings, migrate=True, fetcher=fetcher)
    try:
        yield built
    finally:
        await built.close()


async def test_job_with_hosted_planner_images_and_clips(
    api: Api,
    http: httpx.AsyncClient,
    container: Container,
    replicate: FakeReplicate,
    openai: FakeOpenAI,
    tmp_path: Path,
) -> None:
    # the first image request is throttled: the stage backs off and tries again
    replicate.faults["create"] = [
        json_answer(429, {"title": "Request was throttled", "status": 429,
                          "detail": "Request was throttled."}, **{"Retry-After": "1"})
    ]  # fmt: skip
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    job_id = await create_job(
        api,
        brand,
        durationSeconds=6.0,
        sceneCount=3,
        assetIds=[brand.logo],  # the product scene has no upload: it can continue the hook
        providers={"planner": PLANNER, "image": IMAGES, "video": VIDEOS},
    )
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)

    # the ad: the requested length to the frame, at the job's shape
    ad = decode(await download(http, job["output"]["asset"]["url"], tmp_path / "ad.mp4"))
    assert (ad.width, ad.height) == (480, 854)
    assert abs(ad.seconds - 6.0) <= FRAME + 1e-9
    scenes = sorted(job["scenes"], key=lambda s: s["position"])
    assert [s["status"] for s in scenes] == ["RENDERED"] * 3
    assert [s["continuity"] for s in scenes] == ["CUT", "CONTINUE", "CUT"]
    assert scenes[0]["caption"] == "TrailRunner shoes: part 1"  # the hosted planner's text

    # every hosted call was made once: one plan, three images, three clips
    assert len(openai.seen("POST")) == 1
    kinds = {m: [p for p in replicate.predictions.values() if p["model"] == m]
             for m in ("acme/flux-test", "acme/i2v-test")}  # fmt: skip
    assert len(kinds["acme/flux-test"]) == 3 and len(kinds["acme/i2v-test"]) == 3
    assert all(p["status"] == "succeeded" for p in replicate.predictions.values())

    # the CONTINUE clip opened on the previous clip's stored last frame, moving to its key image
    last_frame = await download(http, scenes[0]["lastFrame"]["url"], tmp_path / "last.png")
    key_image = await download(http, scenes[1]["image"]["url"], tmp_path / "key.png")
    chained = [
        replicate.received[p["id"]]
        for p in kinds["acme/i2v-test"]
        if "end_image" in replicate.received[p["id"]]
    ]
    assert len(chained) == 1
    assert chained[0]["start_image"] == last_frame.read_bytes()
    assert chained[0]["end_image"] == key_image.read_bytes()

    # the ledger: one row per call, at the price of what was billed
    job_key = decode_id(job_id, "Job", "jobId")
    async with container.session_factory() as session:
        calls = list(
            await session.scalars(select(ProviderCall).where(ProviderCall.job_id == job_key))
        )
    by_operation: dict[str, list[ProviderCall]] = {}
    for call in calls:
        by_operation.setdefault(call.operation, []).append(call)
    assert sorted((k, len(v)) for k, v in by_operation.items()) == [
        ("image", 3), ("plan", 1), ("video", 3),
    ]  # fmt: skip
    assert all(c.status is ProviderCallStatus.SUCCEEDED for c in calls)
    # one image request was refused with 429 and made again; every other call went once
    assert sorted(c.attempts for c in calls) == [1] * 6 + [2]
    assert max(by_operation["image"], key=lambda c: c.attempts).attempts == 2
    (plan,) = by_operation["plan"]
    assert (plan.provider, plan.cost_usd) == (PLANNER, Decimal("0.002"))
    for call in by_operation["image"]:
        assert (call.provider, call.model, call.cost_usd) == (IMAGES, "acme/flux-test",
                                                              Decimal("0.003"))  # fmt: skip
        assert call.asset_id is not None and call.scene_id is not None
    billed = sorted(replicate.received[p["id"]]["duration"] for p in kinds["acme/i2v-test"])
    assert billed == [5, 5, 5]  # each scene is about 2 s; the model's shortest length is 5 s
    for call in by_operation["video"]:
        assert (call.provider, call.model) == (VIDEOS, "acme/i2v-test")
        assert call.cost_usd == Decimal("0.25")  # 5 s at $0.05
    # every hosted prediction's id is in the ledger (a crashed call resumes it by that id)
    made = {p["id"] for model in kinds.values() for p in model}
    assert {c.external_id for c in calls if c.operation in ("image", "video")} == made
    # reservations: the first clip was reserved at its scene's length (the model's lengths were
    # not known yet); once they are, a clip is reserved at what it will bill (the CONTINUE one
    # always starts after its chain's first clip)
    reserved = sorted(c.estimated_cost_usd for c in by_operation["video"])
    assert reserved[0] < Decimal("0.25") and reserved[-1] == Decimal("0.25")
    total = sum((c.cost_usd for c in calls), Decimal(0))
    assert total == Decimal("0.761")
    # billing whole 5 s clips for 2 s scenes passes the estimate by far: one variance event
    async with container.session_factory() as session:
        variance = await session.scalar(
            select(func.count())
            .select_from(JobEvent)
            .where(JobEvent.job_id == job_key, JobEvent.type == JobEventType.COST_VARIANCE)
        )
    assert variance == 1
    # the job's cost (shown in cents) is the ledger's; the estimate priced the scenes' lengths
    assert job["cost"]["actualUsd"] == pytest.approx(float(total), abs=0.005)
    assert job["cost"]["estimatedUsd"] == pytest.approx(0.002 + 3 * 0.003 + 6.0 * 0.05, abs=0.005)
