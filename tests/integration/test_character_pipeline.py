"""A job with a CHARACTER asset through the whole built-in pipeline: the character is in every
scene the planner gave it, at the same place, and in no other scene (decoded frames)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from domain.settings import Settings
from tests.conftest import Api
from tests.support.characters import MAGENTA, cutout_png, share_of
from tests.support.graph import payload
from tests.support.pipeline import (
    create_job,
    download,
    frames_rgb,
    make_brand,
    rendering_settings,
    upload,
    wait_for_job,
)

pytestmark = pytest.mark.slow

SCENES = """query($id: ID!) { node(id: $id) { ... on Job { output { asset { url } }
  scenes { position beat durationSeconds continuity character { id role }
           clip { url } } } } }"""

UPDATE = """mutation($input: UpdateSceneInput!) { updateScene(input: $input) {
  scene { id character { id } continuity } userErrors { code field message } } }"""


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


async def test_the_character_is_in_its_scenes_and_no_others(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=8)
    who = await upload(api, cutout_png(tmp_path / "who.png"), "CHARACTER", brand.campaign_id)
    job_id = await create_job(
        api, brand, durationSeconds=8.0, sceneCount=4,
        assetIds=[brand.logo, brand.products[0], who],
    )  # fmt: skip
    await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
    node: dict[str, Any] = (await api(SCENES, {"id": job_id}))["data"]["node"]
    scenes = node["scenes"]
    marked = [s["character"]["id"] if s["character"] else None for s in scenes]
    assert marked == [who, None, who, None]  # hook and benefit; not the product, not the end
    assert all(s["continuity"] == "CUT" for s in scenes)
    ad = frames_rgb(await download(http, node["output"]["asset"]["url"], tmp_path / "ad.mp4"))
    start = 0.0
    regions = []
    for scene in scenes:
        clip = frames_rgb(await download(http, scene["clip"]["url"], tmp_path / "c.mp4"))
        middle = ad[round((start + scene["durationSeconds"] / 2) * 30)]
        start += scene["durationSeconds"]
        shares = [
            share_of(clip[0], MAGENTA),
            share_of(clip[-1], MAGENTA),
            share_of(middle, MAGENTA),
        ]
        if scene["character"]:
            assert min(shares) > 0.03, shares
            mask = np.all(np.abs(clip[0].astype(int) - MAGENTA) <= 40, axis=-1)
            regions.append(np.argwhere(mask).mean(axis=0).round())
        else:
            assert max(shares) < 0.001, shares
    assert len(regions) == 2 and np.abs(regions[0] - regions[1]).max() <= 2  # the same place

    # the scene field is editable: take the character off the benefit scene
    scene_ids = (
        await api(
            """query($id: ID!) { node(id: $id) { ... on Job {
        scenes { id } } } }""",
            {"id": job_id},
        )
    )["data"]["node"]["scenes"]
    body = payload(
        await api(UPDATE, {"input": {"sceneId": scene_ids[2]["id"], "characterAssetId": None}}),
        "updateScene",
    )
    assert body["userErrors"] == [] and body["scene"]["character"] is None
    # a product shot is not a character
    body = payload(await api(UPDATE, {"input": {"sceneId": scene_ids[1]["id"],
                                                "characterAssetId": brand.products[0]}}),
                   "updateScene")  # fmt: skip
    assert [e["field"] for e in body["userErrors"]] == [["characterAssetId"]]
