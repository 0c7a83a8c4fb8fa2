"""Exports burn the captions in or not (``exportJob(captions:)``): a narrated ad exported
without them loses the caption box during a spoken phrase and nothing else; one made without
them gains it (embedded runner, real FFmpeg output decoded)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from domain.settings import Settings
from tests.conftest import Api
from tests.support.graph import payload
from tests.support.pipeline import (
    create_job,
    download,
    frames_rgb,
    make_brand,
    rendering_settings,
    wait_for_job,
    wait_for_render,
)

pytestmark = pytest.mark.slow

FPS = 30
EXPORT = """mutation($input: ExportJobInput!) { exportJob(input: $input) {
  render { id status captions isDefault } userErrors { code message field } } }"""
CAPTION_FILES = """
query ($id: ID!) { node(id: $id) { ... on Job { captionFiles { filename url } } } }
"""


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


async def _export(api: Api, job_id: str, captions: bool | None) -> dict[str, Any]:
    body = payload(
        await api(EXPORT, {"input": {"jobId": job_id, "resolution": "P480",
                                     "captions": captions}}),
        "exportJob",
    )  # fmt: skip
    assert body["userErrors"] == [], body
    render: dict[str, Any] = body["render"]
    return render


async def _finished(api: Api, job_id: str, render_id: str) -> dict[str, Any]:
    render = await wait_for_render(api, job_id, render_id)
    assert render["status"] == "COMPLETED", render
    return render


async def _spoken_frames(api: Api, http: httpx.AsyncClient, job_id: str, tmp: Path) -> list[int]:
    """The middle frame of each of the ad's caption cues (a phrase being spoken)."""
    files = (await api(CAPTION_FILES, {"id": job_id}))["data"]["node"]["captionFiles"]
    srt = next(f for f in files if f["filename"] == "captions.srt")
    text = (await download(http, srt["url"], tmp / "captions.srt")).read_text()
    middles = []
    for h, m, s, ms, h2, m2, s2, ms2 in re.findall(
        r"(\d+):(\d\d):(\d\d),(\d{3}) --> (\d+):(\d\d):(\d\d),(\d{3})", text
    ):
        start = int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
        end = int(h2) * 3600 + int(m2) * 60 + int(s2) + int(ms2) / 1000
        middles.append(round((start + end) / 2 * FPS))
    assert middles, text
    return middles


def _row_differences(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The mean absolute difference of every row of two same-sized RGB frames."""
    assert a.shape == b.shape, (a.shape, b.shape)
    return np.asarray(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean(axis=(1, 2)))


def _caption_band(with_box: np.ndarray, without: np.ndarray) -> tuple[int, int, float, float]:
    """(first row, last row) where the frames differ strongly, the mean difference there and
    the mean difference of every other row."""
    rows = _row_differences(with_box, without)
    strong = np.flatnonzero(rows > 12.0)
    assert strong.size, f"no caption box: largest row difference {rows.max():.1f}"
    first, last = int(strong[0]), int(strong[-1])
    inside = float(rows[first : last + 1].mean())
    outside = float(np.concatenate([rows[:first], rows[last + 1 :]]).mean())
    return first, last, inside, outside


async def _compare(
    api: Api, http: httpx.AsyncClient, job_id: str, captions: bool, tmp: Path
) -> tuple[np.ndarray, np.ndarray]:
    """(the master's frame, the export's frame) during the first spoken phrase burned into one of
    them (a phrase repeating a split panel's words is not), the export made with ``captions``."""
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=900)
    frames = await _spoken_frames(api, http, job_id, tmp)
    master = frames_rgb(await download(http, job["output"]["asset"]["url"], tmp / "ad.mp4"))
    render = await _export(api, job_id, captions)
    assert render["captions"] is captions and not render["isDefault"]
    done = await _finished(api, job_id, render["id"])
    exported = frames_rgb(await download(http, done["asset"]["url"], tmp / "export.mp4"))
    assert exported.shape == master.shape
    # the same request again is the same render
    assert (await _export(api, job_id, captions))["id"] == render["id"]
    shown = [f for f in frames if _row_differences(master[f], exported[f]).max() > 12.0]
    assert shown, "no spoken phrase has a caption in either file"
    return master[shown[0]], exported[shown[0]]


async def test_export_without_captions_drops_the_caption_box(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=14)
    job_id = await create_job(
        api, brand, durationSeconds=9.0, sceneCount=3, voiceover=True, captions=True
    )
    master, plain = await _compare(api, http, job_id, False, tmp_path)
    first, last, inside, outside = _caption_band(master, plain)
    height = master.shape[0]
    print(f"caption box rows {first}-{last} of {height}: differ by {inside:.1f}, "
          f"the rest by {outside:.2f}")  # fmt: skip
    assert first > height // 2 and last - first < height // 3
    assert inside > 15 * outside and outside < 1.5
    # naming the job's own setting is the same as naming none: the default output
    same = await _export(api, job_id, True)
    assert same["isDefault"] and same["captions"] is None


async def test_export_with_captions_adds_them_to_a_job_made_without(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=14)
    job_id = await create_job(
        api, brand, durationSeconds=9.0, sceneCount=3, voiceover=True, captions=False
    )
    master, captioned = await _compare(api, http, job_id, True, tmp_path)
    first, last, inside, outside = _caption_band(captioned, master)
    height = master.shape[0]
    print(f"caption box rows {first}-{last} of {height}: differ by {inside:.1f}, "
          f"the rest by {outside:.2f}")  # fmt: skip
    assert first > height // 2 and last - first < height // 3
    assert inside > 15 * outside and outside < 1.5
