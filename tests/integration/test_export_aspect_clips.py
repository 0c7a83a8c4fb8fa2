"""An export to another aspect makes the built-in scenes again for its frame: a 16:9 ad with a
character exported to 9:16 shows the character whole, where the export's frame puts it (a
centre crop of the master would have cut it out of the frame), decoded from the export. The
middle frame of each scene, cropped and made again, is saved for the docs
(``docs/img/export-aspect-clips.png``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from domain.media.character import character_box
from domain.media.types import Size
from domain.settings import Settings
from tests.conftest import Api
from tests.support.characters import MAGENTA, cutout_png, share_of
from tests.support.pipeline import (
    create_job,
    download,
    export_aspect,
    frames_rgb,
    make_brand,
    rendering_settings,
    upload,
    wait_for_job,
)

pytestmark = pytest.mark.slow

SCENES = """query($id: ID!) { node(id: $id) { ... on Job { output { asset { url } }
  scenes { beat durationSeconds character { id } } } } }"""
PORTRAIT = Size(480, 854)
STRIP = Path(__file__).resolve().parents[2] / "docs" / "img" / "export-aspect-clips.png"
TILE = Size(240, 427)
GAP = 6


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


def _centre_crop(frame: np.ndarray, size: Size) -> np.ndarray:
    """The middle of ``frame`` in the shape of ``size``, scaled to it (the cover fit a stored
    clip gets)."""
    height, width = frame.shape[:2]
    keep = round(height * size.width / size.height)
    left = (width - keep) // 2
    crop = Image.fromarray(frame[:, left : left + keep]).resize((size.width, size.height))
    return np.asarray(crop)


def _magenta_box(frame: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the frame's magenta pixels."""
    mask = np.all(np.abs(frame.astype(int) - MAGENTA) <= 40, axis=-1)
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


async def test_an_export_to_another_aspect_makes_built_in_scenes_for_its_frame(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=10)
    figure = cutout_png(tmp_path / "who.png")
    who = await upload(api, figure, "CHARACTER", brand.campaign_id)
    job_id = await create_job(
        api, brand, aspectRatio="LANDSCAPE_16_9", durationSeconds=10.0, sceneCount=5,
        assetIds=[brand.logo, *brand.products, who],
    )  # fmt: skip
    await wait_for_job(api, job_id, {"COMPLETED"}, timeout=600)
    node: dict[str, Any] = (await api(SCENES, {"id": job_id}))["data"]["node"]
    master = frames_rgb(await download(http, node["output"]["asset"]["url"], tmp_path / "m.mp4"))
    render = await export_aspect(api, job_id, "PORTRAIT_9_16")
    assert render["status"] == "COMPLETED", render
    export = frames_rgb(await download(http, render["asset"]["url"], tmp_path / "e.mp4"))
    assert export.shape[1:3] == (PORTRAIT.height, PORTRAIT.width)

    with Image.open(figure) as picture:
        visible = picture.getchannel("A").getbbox()
    assert visible is not None
    seen = Size(visible[2] - visible[0], visible[3] - visible[1])
    expected = character_box(PORTRAIT, seen, cutout=True)
    rows: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
    start, checked = 0.0, 0
    for scene in node["scenes"]:
        index = round((start + scene["durationSeconds"] / 2) * 30)
        start += scene["durationSeconds"]
        rows[0].append(_centre_crop(master[index], PORTRAIT))
        rows[1].append(export[index])
        if not scene["character"]:
            assert share_of(export[index], MAGENTA) < 0.001, scene["beat"]
            continue
        checked += 1
        # the master's clip, centre-cropped, would have lost the character at its right
        assert share_of(master[index], MAGENTA) > 0.03
        assert share_of(_centre_crop(master[index], PORTRAIT), MAGENTA) < 0.002
        # the export's own clip stands it whole where a 9:16 frame puts it
        left, top, right, bottom = _magenta_box(export[index])
        found = (left, top, right + 1, bottom + 1)
        wanted = (expected.x, expected.y, expected.right, expected.y + expected.height)
        assert max(abs(a - b) for a, b in zip(found, wanted, strict=True)) <= 6, (found, wanted)
    assert checked >= 2
    _save_strip(rows)


def _save_strip(rows: tuple[list[np.ndarray], list[np.ndarray]]) -> None:
    """Two rows of tiles (cropped, made again), one per scene, on white."""
    count = len(rows[0])
    strip = Image.new("RGB", ((TILE.width + GAP) * count - GAP, TILE.height * 2 + GAP), "white")
    for row, frames in enumerate(rows):
        for column, frame in enumerate(frames):
            tile = Image.fromarray(frame).resize(
                (TILE.width, TILE.height), Image.Resampling.LANCZOS
            )
            strip.paste(tile, (column * (TILE.width + GAP), row * (TILE.height + GAP)))
    STRIP.parent.mkdir(parents=True, exist_ok=True)
    strip.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(STRIP, optimize=True)
