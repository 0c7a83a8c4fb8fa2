"""The pipeline with its files in an S3-compatible bucket (moto's server on loopback)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from domain.bootstrap import Container
from domain.models import Asset, Scene
from domain.settings import Settings
from tests.conftest import Api
from tests.integration.test_pipeline_embedded import check_continuity, job_uuid
from tests.support.graph import payload
from tests.support.pipeline import (
    APPROVE,
    create_job,
    decode,
    download,
    make_brand,
    wait_for_job,
)
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, make_bucket, s3_endpoint

pytestmark = pytest.mark.slow

__all__ = ["s3_endpoint"]


@pytest.fixture
async def settings(data_dir: Path, s3_endpoint: str) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'test.sqlite3'}",
        redis_url=None,
        storage_url=f"s3://{await make_bucket(s3_endpoint)}/adreel",
        s3_endpoint_url=s3_endpoint,
        s3_access_key_id=ACCESS_KEY,
        s3_secret_access_key=SECRET_KEY,
        public_url="http://adreel.test",
        secret_key="test-secret-" + uuid.uuid4().hex,
        render_resolution="P480",
        lease_seconds=5,
        sweep_interval_seconds=0.5,
    )


async def test_ad_made_from_and_into_s3(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=8)
    # five scenes: the product photo fills its own and the story scenes, generated ones continue
    job_id = await create_job(
        api, brand, durationSeconds=8.0, sceneCount=5, assetIds=[brand.logo, brand.products[0]]
    )
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
    decoded = decode(await download(http, job["output"]["asset"]["url"], tmp_path / "ad.mp4"))
    assert (decoded.width, decoded.height) == (480, 854) and decoded.has_audio
    assert abs(decoded.seconds - 8.0) <= 1 / 30 + 1e-9
    assert await check_continuity(http, job, tmp_path) >= 1
    # every generated file is in the bucket, none under the local data directory
    async with container.session_factory() as session:
        keys = list(
            await session.scalars(select(Asset.storage_key).where(Asset.job_id == job_uuid(job_id)))
        )
    assert keys and all(k is not None for k in keys)
    for key in keys:
        assert key is not None and await container.storage.exists(key)
    assert not (container.settings.storage_dir / "orgs").exists()


async def test_file_deleted_from_the_bucket_mid_job(
    api: Api, container: Container, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    job_id = await create_job(api, brand, durationSeconds=5.0, autoApprove=False)
    await wait_for_job(api, job_id, {"STORYBOARD_READY"}, timeout=300)
    async with container.session_factory() as session:
        scene = await session.scalar(
            select(Scene).where(Scene.job_id == job_uuid(job_id), Scene.position == 0)
        )
        assert scene is not None and scene.image_asset_id is not None
        image = await session.get(Asset, scene.image_asset_id)
        assert image is not None and image.storage_key is not None
    await container.storage.delete(image.storage_key)
    body = payload(await api(APPROVE, {"input": {"jobId": job_id}}), "approveStoryboard")
    assert body["userErrors"] == [], body
    job = await wait_for_job(api, job_id, {"FAILED"}, timeout=300)
    assert (job["error"]["code"], job["error"]["stage"]) == ("ASSET_MISSING", "CLIPS")
