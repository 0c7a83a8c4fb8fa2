"""``Job.productScreenShare``: the share of the ad's frames showing a product shot, planned
before the composition and counted on it after (matching what the decoded frames show), zero
for an ad without product pictures; and the brief's features through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from domain.bootstrap import Container
from domain.models import Job
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import Api
from tests.support.graph import create_campaign, create_client, payload
from tests.support.look import product_photo, shows_product
from tests.support.pipeline import (
    APPROVE,
    BRAND_COLORS,
    CREATE_JOB,
    Brand,
    create_job,
    download,
    frames_rgb,
    rendering_settings,
    upload,
    wait_for_job,
)

pytestmark = pytest.mark.slow

SHARE = """query($id: ID!) { node(id: $id) { ... on Job {
  productScreenShare plannedProductScreenShare brief { features } } } }"""
FEATURES = ["Hydrates for 24 hours", "SPF 30 sun shield", "No sticky feel"]


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


async def _share(api: Api, job_id: str) -> dict[str, Any]:
    response = await api(SHARE, {"id": job_id})
    assert "errors" not in response, response
    node: dict[str, Any] = response["data"]["node"]
    return node


async def _stored(container: Container, job_id: str) -> float | None:
    async with container.session_factory() as session:
        row = await session.get(Job, decode_id(job_id, "Job", "jobId"))
        assert row is not None
        return row.product_screen_share


async def test_product_screen_share_planned_then_counted_on_the_composition(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    client_id = await create_client(api, "Northwind", brandColors=BRAND_COLORS)
    campaign_id = await create_campaign(api, client_id, "Spring")
    photos = [product_photo(tmp_path / f"photo-{n}.png", n) for n in range(2)]
    products = [await upload(api, p, "PRODUCT", campaign_id) for p in photos]
    brand = Brand(client_id, campaign_id, logo="", products=products, music="")
    brief = {"product": "Glow serum", "tone": "calm", "features": FEATURES}

    # too many features: a typed error, no job
    body = payload(
        await api(CREATE_JOB, {"input": {"campaignId": campaign_id, "durationSeconds": 8.0,
                                         "aspectRatio": "SQUARE_1_1",
                                         "brief": {**brief, "features": ["x"] * 6}}}),
        "createJob",
    )  # fmt: skip
    assert body["job"] is None
    assert [(e["code"], e["field"]) for e in body["userErrors"]] == [
        ("INVALID", ["brief", "features"])
    ]

    with_products = await create_job(
        api, brand, durationSeconds=8.0, sceneCount=4, music=None, autoApprove=False,
        aspectRatio="SQUARE_1_1", assetIds=products, brief=brief,
    )  # fmt: skip
    await wait_for_job(api, with_products, {"STORYBOARD_READY"}, timeout=300)
    before = await _share(api, with_products)
    assert before["brief"]["features"] == FEATURES
    assert await _stored(container, with_products) is None  # not composed: the planned share
    assert before["productScreenShare"] == before["plannedProductScreenShare"] > 0.4
    assert payload(await api(APPROVE, {"input": {"jobId": with_products}}), "approveStoryboard")
    job = await wait_for_job(api, with_products, {"COMPLETED"}, timeout=600)
    after = await _share(api, with_products)
    counted = await _stored(container, with_products)
    assert counted is not None and after["productScreenShare"] == counted
    assert counted == pytest.approx(after["plannedProductScreenShare"], abs=0.02)
    master = frames_rgb(await download(http, job["output"]["asset"]["url"], tmp_path / "ad.mp4"))
    seen = float(np.mean([shows_product(f) for f in master]))
    print(f"product share planned {before['plannedProductScreenShare']:.0%}, "
          f"counted {counted:.0%}, seen on the frames {seen:.0%}")  # fmt: skip
    assert abs(seen - counted) < 0.12

    # a client whose brand kit has no product shots
    plain = await create_client(api, "Plainwind", brandColors=BRAND_COLORS)
    bare = Brand(plain, await create_campaign(api, plain, "Bare"), "", [], "")
    without = await create_job(
        api, bare, durationSeconds=6.0, sceneCount=3, music=None, autoApprove=True,
        aspectRatio="SQUARE_1_1", assetIds=[], brief={"product": "Glow serum"},
    )  # fmt: skip
    await wait_for_job(api, without, {"COMPLETED"}, timeout=600)
    share = await _share(api, without)
    assert share["plannedProductScreenShare"] == 0.0 and share["productScreenShare"] == 0.0
    assert await _stored(container, without) == 0.0
    assert share["brief"]["features"] == []
