"""A character ad in 16:9 and 9:16, one frame from the middle of each scene, as one picture
(``docs/img/characters-strip.png``, shown in the pipeline docs): the character is in the
scenes the planner gave it, at one place per aspect, and in no other scene."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from domain.settings import Settings
from tests.conftest import Api
from tests.support.characters import MAGENTA, cutout_png, share_of
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

STRIP = Path(__file__).resolve().parents[2] / "docs" / "img" / "characters-strip.png"
TILE_WIDTH = 320
GAP = 6

SCENES = """query($id: ID!) { node(id: $id) { ... on Job { output { asset { url } }
  scenes { beat durationSeconds character { id } } } } }"""


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


def _row(frames: list[np.ndarray]) -> Image.Image:
    """The frames side by side, each ``TILE_WIDTH`` wide, ``GAP`` pixels apart on white."""
    tiles = [Image.fromarray(f) for f in frames]
    tiles = [t.resize((TILE_WIDTH, round(t.height * TILE_WIDTH / t.width)), Image.Resampling.LANCZOS)
             for t in tiles]  # fmt: skip
    row = Image.new("RGB", ((TILE_WIDTH + GAP) * len(tiles) - GAP, tiles[0].height), "white")
    for index, tile in enumerate(tiles):
        row.paste(tile, (index * (TILE_WIDTH + GAP), 0))
    return row


async def test_a_frame_of_each_scene_in_both_aspects(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=12)
    who = await upload(api, cutout_png(tmp_path / "who.png"), "CHARACTER", brand.campaign_id)
    assets = [brand.logo, *brand.products, who]
    jobs = {
        aspect: await create_job(
            api, brand, aspectRatio=aspect, durationSeconds=10.0, sceneCount=5, assetIds=assets
        )
        for aspect in ("LANDSCAPE_16_9", "PORTRAIT_9_16")
    }
    rows = []
    for aspect, job_id in jobs.items():
        await wait_for_job(api, job_id, {"COMPLETED"}, timeout=600)
        node: dict[str, Any] = (await api(SCENES, {"id": job_id}))["data"]["node"]
        ad = frames_rgb(await download(http, node["output"]["asset"]["url"], tmp_path / "ad.mp4"))
        start, picked, places = 0.0, [], []
        for scene in node["scenes"]:
            frame = ad[round((start + scene["durationSeconds"] / 2) * 30)]
            start += scene["durationSeconds"]
            picked.append(frame)
            if scene["character"]:
                assert share_of(frame, MAGENTA) > 0.03, (aspect, scene["beat"])
                mask = np.all(np.abs(frame.astype(int) - MAGENTA) <= 40, axis=-1)
                places.append(np.argwhere(mask).mean(axis=0))
            else:
                assert share_of(frame, MAGENTA) < 0.001, (aspect, scene["beat"])
        assert len(places) >= 2
        assert max(np.abs(p - places[0]).max() for p in places) <= 3  # one place per aspect
        rows.append(_row(picked))
    strip = Image.new("RGB", (rows[0].width, rows[0].height + GAP + rows[1].height), "white")
    strip.paste(rows[0], (0, 0))
    strip.paste(rows[1], (0, rows[0].height + GAP))
    STRIP.parent.mkdir(parents=True, exist_ok=True)
    small = strip.quantize(colors=256, method=Image.Quantize.MEDIANCUT)  # half the bytes
    small.save(STRIP, format="PNG", optimize=True)
    with Image.open(STRIP) as saved:  # one row per aspect, one tile per scene
        assert saved.size == (5 * TILE_WIDTH + 4 * GAP, 180 + GAP + 569)
