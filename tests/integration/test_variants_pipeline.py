"""Variants of a finished job on the embedded runner: unchanged scenes are never paid for twice.

The image provider is priced (``tests.support.priced``): the provider-call ledger and the actual
costs show which key images and clips each variant made, and its estimate prices only those.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.bootstrap import Container
from domain.models.pipeline import ProviderCall
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import Api
from tests.support.pipeline import create_job, make_brand, rendering_settings, wait_for_job
from tests.support.priced import install_priced_images

pytestmark = pytest.mark.slow

CREATE_VARIANTS = """mutation($input: CreateVariantsInput!) { createVariants(input: $input) {
  variantGroup { id sourceJob { id } jobs(first: 10) { edges { node { id } } } }
  jobs { id aspectRatio durationSeconds cost { estimatedUsd } brief { callToAction }
         variantGroup { id } scenes { position caption script image { id } clip { id } } }
  userErrors { field message code } } }"""

SCENES = """query($id: ID!) { node(id: $id) { ... on Job {
  scenes { position image { id } clip { id } } } } }"""


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, lease_seconds=30, scene_concurrency=2)


async def paid_calls(container: Container, job_id: str) -> dict[str, int]:
    """Provider calls (one per idempotency key) a job actually made, by operation; a call
    retried after a lost lease is still one call."""
    async with container.session_factory() as session:
        rows = (
            await session.execute(
                select(ProviderCall.operation, func.count())
                .where(
                    ProviderCall.job_id == decode_id(job_id, "Job", "jobId"),
                    ProviderCall.attempts > 0,
                )
                .group_by(ProviderCall.operation)
            )
        ).all()
    return {op: int(n or 0) for op, n in rows}


async def test_variants_reuse_unchanged_scenes(
    api: Api, container: Container, tmp_path: Path
) -> None:
    install_priced_images(container, charged=Decimal("0.05"), listed="0.05")
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    source_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3)
    source = await wait_for_job(api, source_id, {"COMPLETED"}, timeout=300)
    assert await paid_calls(container, source_id) == {"plan": 1, "image": 3, "video": 3}
    r = await api(
        CREATE_VARIANTS,
        {
            "input": {
                "jobId": source_id,
                "variants": [
                    # texts only: every image and clip is reused
                    {
                        "callToAction": "Buy today",
                        "hookLine": "Run further",
                        "scenes": [{"position": 1, "caption": "Lighter than ever"}],
                    },
                    # longer: the images are reused, the clips are made again
                    {"durationSeconds": 6.0},
                    # another shape: everything is made again
                    {"aspectRatio": "SQUARE_1_1"},
                ],
            }
        },
    )
    body: dict[str, Any] = r["data"]["createVariants"]
    assert body["userErrors"] == [], body
    group = body["variantGroup"]
    assert group["sourceJob"]["id"] == source_id
    texts, longer, square = body["jobs"]
    assert {e["node"]["id"] for e in group["jobs"]["edges"]} == {
        texts["id"],
        longer["id"],
        square["id"],
    }
    assert all(j["variantGroup"]["id"] == group["id"] for j in body["jobs"])
    # the estimate prices only what is made again: three key images for the square variant
    assert texts["cost"]["estimatedUsd"] == 0
    assert longer["cost"]["estimatedUsd"] == 0
    assert square["cost"]["estimatedUsd"] == pytest.approx(0.15)
    assert texts["brief"]["callToAction"] == "Buy today"
    assert texts["scenes"][0]["caption"] == "Run further"
    assert texts["scenes"][1]["caption"] == "Lighter than ever"
    originals = {s["position"]: s for s in source["scenes"]}
    for scene in texts["scenes"]:
        assert scene["image"]["id"] == originals[scene["position"]]["image"]["id"]
        assert scene["clip"]["id"] == originals[scene["position"]]["clip"]["id"]
    for scene in longer["scenes"]:
        assert scene["image"]["id"] == originals[scene["position"]]["image"]["id"]
        assert scene["clip"] is None
    assert all(s["image"] is None for s in square["scenes"])

    finished = await asyncio.gather(
        *(wait_for_job(api, j["id"], {"COMPLETED"}, timeout=420) for j in body["jobs"])
    )
    # the ledger: no repeated paid call for unchanged scenes, no planner call at all
    assert await paid_calls(container, texts["id"]) == {}
    assert await paid_calls(container, longer["id"]) == {"video": 3}
    assert await paid_calls(container, square["id"]) == {"image": 3, "video": 3}
    assert await paid_calls(container, source_id) == {"plan": 1, "image": 3, "video": 3}
    costs = {j["id"]: j["cost"]["actualUsd"] for j in finished}
    assert costs[texts["id"]] == 0 and costs[longer["id"]] == 0
    assert costs[square["id"]] == pytest.approx(0.15)
    # each variant has its own finished ad
    outputs = {j["output"]["asset"]["url"] for j in finished}
    assert len(outputs) == 3 and abs(finished[1]["durationSeconds"] - 6.0) < 1e-9


async def test_variant_errors_name_the_variant_and_field(
    api: Api, container: Container, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=6)
    source_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3, autoApprove=False)
    await wait_for_job(api, source_id, {"STORYBOARD_READY"}, timeout=300)
    r = await api(
        CREATE_VARIANTS,
        {
            "input": {
                "jobId": source_id,
                "variants": [
                    {"durationSeconds": 500},
                    {"scenes": [{"position": 9, "caption": "x"}]},
                    {"voice": "nobody:nothing"},
                ],
            }
        },
    )
    body = r["data"]["createVariants"]
    assert body["jobs"] is None
    fields = [tuple(e["field"]) for e in body["userErrors"]]
    assert ("variants", "0", "durationSeconds") in fields
    assert ("variants", "1", "scenes", "0") in fields
    assert ("variants", "2", "voice") in fields
