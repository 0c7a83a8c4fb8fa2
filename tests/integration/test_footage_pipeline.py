"""A job with uploaded footage, end to end on the embedded runner, driven through the GraphQL API.

Three videos (a 20 s 1080p clip, a portrait phone clip with rotation metadata, a variable frame
rate clip) each become a scene's clip; the finished ad is decoded: exact durations, orientation
(corner markers), nothing stretched (the centre square), the footage's sound mixed or muted as
set, -14 LUFS; the trimmed scene opens on the source frame at its in-point; a CONTINUE into
footage is refused; the scene after footage continues from its exact last frame; replacing a
clip composes again without generating anything (ledger and stage runs).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from domain.bootstrap import Container
from domain.enums import JobStage
from domain.media.footage import cover
from domain.media.frames import TO_RGB
from domain.media.types import Size
from domain.models.pipeline import ProviderCall, StageRun, StageRunOutcome
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import Api
from tests.support.ffmpeg_checks import frames, make, mean_volume
from tests.support.footage import (
    centre_square_aspect,
    corner_colors,
    marked_clip,
    phone_clip,
    vfr_clip,
)
from tests.support.graph import create_campaign, create_client, payload
from tests.support.pipeline import (
    APPROVE,
    decode,
    download,
    frames_rgb,
    integrated_loudness,
    png_rgb,
    psnr,
    rendering_settings,
    upload,
    wait_for_job,
)

pytestmark = pytest.mark.slow

SIZE = Size(480, 854)  # P480 portrait: the working size of the job's clips
UPRIGHT = {"tl": "tl", "tr": "tr", "bl": "bl", "br": "br"}

CREATE = """mutation($input: CreateJobInput!) { createJob(input: $input) {
  job { id cost { estimatedUsd } } userErrors { code message field } } }"""

SCENE = """id position continuity durationSeconds trimStartSeconds footageAudio
  footage { id } image { url } clip { url } lastFrame { url }"""

UPDATE = f"""mutation($input: UpdateSceneInput!) {{ updateScene(input: $input) {{
  scene {{ {SCENE} }} userErrors {{ code message field }} }} }}"""

REPLACE = f"""mutation($input: ReplaceSceneClipInput!) {{ replaceSceneClip(input: $input) {{
  scene {{ {SCENE} }} job {{ status }} userErrors {{ code message field }} }} }}"""

REGENERATE = f"""mutation($input: RegenerateSceneInput!) {{ regenerateScene(input: $input) {{
  scene {{ {SCENE} }} userErrors {{ code message field }} }} }}"""

JOB = f"""query($id: ID!) {{ node(id: $id) {{ ... on Job {{ id status
  output {{ asset {{ url }} }} scenes {{ {SCENE} }} }} }} }}"""


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


async def scenes_of(api: Api, job_id: str) -> list[dict[str, Any]]:
    response = await api(JOB, {"id": job_id})
    assert "errors" not in response, response
    return sorted(response["data"]["node"]["scenes"], key=lambda s: s["position"])


def source_frame(source: Path, seconds: float, target: Path) -> np.ndarray:
    """The uploaded file's frame at ``seconds``, cover-fitted to the scene like the engine."""
    make(
        "-ss", f"{seconds}", "-i", str(source), "-frames:v", "1",
        "-vf", f"{cover(SIZE)},{TO_RGB}", "-pix_fmt", "rgb24", "-f", "image2", str(target),
    )  # fmt: skip
    return png_rgb(target)


def save_strip(ad: np.ndarray, cuts: list[float], target: Path) -> Path:
    """One frame from the middle of each scene, side by side, as a PNG."""
    picks = [ad[round((a + b) / 2 * 30)] for a, b in itertools.pairwise(cuts)]
    Image.fromarray(np.hstack(picks)).save(target)
    return target


async def test_footage_job_end_to_end(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    kit = tmp_path / "kit"
    kit.mkdir()
    wide = marked_clip(kit / "wide.mp4", width=1920, height=1080, seconds=20, fps=15)
    phone = phone_clip(kit / "phone.mp4", width=360, height=640, seconds=4)
    vfr = vfr_clip(kit / "vfr.mp4", width=640, height=360, seconds=4)
    client_id = await create_client(api, "Northwind", brandColors=["#0F766E"])
    campaign = await create_campaign(api, client_id, "Spring")
    ids = {
        "wide": await upload(api, wide, "PRODUCT", campaign),
        "phone": await upload(api, phone, "CHARACTER", campaign),
        "vfr": await upload(api, vfr, "FOOTAGE", campaign),
    }
    body = payload(
        await api(
            CREATE,
            {"input": {
                "campaignId": campaign, "brief": {"product": "TrailRunner shoes"},
                "durationSeconds": 10.0, "aspectRatio": "PORTRAIT_9_16", "sceneCount": 5,
                "continuity": True, "autoApprove": False, "captions": False,
                "assetIds": [ids["wide"], ids["phone"], ids["vfr"]],
            }},
        ),
        "createJob",
    )  # fmt: skip
    assert body["userErrors"] == [], body
    job_id = body["job"]["id"]
    job_key = decode_id(job_id, "Job", "jobId")
    await wait_for_job(api, job_id, {"STORYBOARD_READY"}, timeout=300)
    hook, problem, product, benefit, end = await scenes_of(api, job_id)
    assert hook["footage"]["id"] == ids["phone"]  # people scenes take the character
    assert problem["footage"]["id"] == ids["vfr"]  # footage where nothing else is shown
    assert product["footage"]["id"] == ids["wide"]
    assert product["continuity"] == "CUT" and benefit["continuity"] == "CONTINUE"
    assert benefit["footage"] is None and end["footage"] is None

    # a CONTINUE into footage is refused, naming the scene; in-point and sound are set
    refused = payload(
        await api(UPDATE, {"input": {"sceneId": product["id"], "continuity": "CONTINUE"}}),
        "updateScene",
    )
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID"]
    assert refused["userErrors"][0]["message"].startswith("scene 3 shows uploaded footage")
    mixed = payload(
        await api(UPDATE, {"input": {"sceneId": hook["id"], "footageAudio": "MIX"}}),
        "updateScene",
    )
    assert mixed["userErrors"] == [] and mixed["scene"]["image"] is not None  # sound only
    past = payload(
        await api(UPDATE, {"input": {"sceneId": product["id"], "trimStartSeconds": 25.0}}),
        "updateScene",
    )
    assert past["userErrors"][0]["field"] == ["trimStartSeconds"]
    trimmed = payload(
        await api(UPDATE, {"input": {"sceneId": product["id"], "trimStartSeconds": 5.0}}),
        "updateScene",
    )
    assert trimmed["userErrors"] == [] and trimmed["scene"]["image"] is None  # a new key image
    await wait_for_job(api, job_id, {"STORYBOARD_READY"}, timeout=300)

    assert (
        payload(await api(APPROVE, {"input": {"jobId": job_id}}), "approveStoryboard")["userErrors"]
        == []
    )
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=600)
    scenes = await scenes_of(api, job_id)
    ad_path = await download(http, job["output"]["asset"]["url"], tmp_path / "ad.mp4")
    decoded = decode(ad_path)
    assert (decoded.width, decoded.height) == (480, 854)
    assert decoded.frames == 300  # exactly 10 s at 30 fps
    assert abs(integrated_loudness(ad_path) - (-14.0)) <= 1.0

    cuts = [0.0]
    for scene in scenes:
        cuts.append(cuts[-1] + scene["durationSeconds"])
    ad = frames_rgb(ad_path)
    strip = save_strip(ad, cuts, tmp_path / "footage-strip.png")
    print(f"frame strip: {strip}")

    # each footage scene: upright, nothing stretched; the trimmed one opens on its in-point
    clips = {
        s["position"]: frames_rgb(await download(http, s["clip"]["url"], tmp_path / f"c{i}.mp4"))
        for i, s in enumerate(scenes)
    }
    assert corner_colors(clips[0][0]) == UPRIGHT  # the phone clip, turned upright
    for index in (0, 1, 2):
        assert centre_square_aspect(clips[index][5]) == pytest.approx(1.0, abs=0.08)
    exact = frames(tmp_path / "c2.mp4", width=480, height=854, precise=True)
    assert psnr(exact[0], source_frame(wide, 5.0, tmp_path / "at5.png")) > 40
    # the scene after the footage opens on its exact last frame
    assert psnr(clips[3][0], clips[2][-1]) > 40
    # sound: the phone scene's own sound is heard, the others' is muted
    assert mean_volume(ad_path, start=cuts[0] + 0.3, length=1.0) > -30
    for index in (1, 2):
        assert mean_volume(ad_path, start=cuts[index] + 0.7, length=0.8) < -60

    async with container.session_factory() as session:
        calls = list(
            await session.scalars(select(ProviderCall).where(ProviderCall.job_id == job_key))
        )
    # the planner, then an image and a clip for the two generated scenes only
    assert sorted(c.operation for c in calls).count("video") == 2
    assert len(calls) == 5

    # replacing a clip: a CONTINUE scene cannot take footage; the end card can
    refused = payload(
        await api(REPLACE, {"input": {"sceneId": benefit["id"], "assetId": ids["vfr"]}}),
        "replaceSceneClip",
    )
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID"]
    assert "scene 4" in refused["userErrors"][0]["message"]
    replaced = payload(
        await api(
            REPLACE,
            {"input": {"sceneId": end["id"], "assetId": ids["wide"], "trimStartSeconds": 1.0}},
        ),
        "replaceSceneClip",
    )
    assert replaced["userErrors"] == [], replaced
    assert replaced["scene"]["footage"]["id"] == ids["wide"]
    assert replaced["scene"]["trimStartSeconds"] == 1.0
    await wait_for_job(api, job_id, {"STORYBOARD_READY"}, timeout=300)
    assert (
        payload(await api(APPROVE, {"input": {"jobId": job_id}}), "approveStoryboard")["userErrors"]
        == []
    )
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=600)
    again = await scenes_of(api, job_id)
    assert [s["clip"]["url"].split("?")[0] for s in again[:4]] == [
        s["clip"]["url"].split("?")[0] for s in scenes[:4]
    ]  # the other scenes kept their clips
    await download(http, again[4]["clip"]["url"], tmp_path / "end.mp4")
    new_end = frames(tmp_path / "end.mp4", width=480, height=854, precise=True)
    assert psnr(new_end[0], source_frame(wide, 1.0, tmp_path / "at1.png")) > 40
    async with container.session_factory() as session:
        calls = list(
            await session.scalars(select(ProviderCall).where(ProviderCall.job_id == job_key))
        )
        runs = list(await session.scalars(select(StageRun).where(StageRun.job_id == job_key)))
    assert len(calls) == 5  # nothing was generated for the replacement
    clip_runs = [r for r in runs if r.stage is JobStage.CLIPS]
    assert clip_runs[-1].outcome is StageRunOutcome.COMPLETED
    assert (clip_runs[-1].produced, clip_runs[-1].reused) == (1, 4)
    compose_runs = [r for r in runs if r.stage is JobStage.COMPOSE]
    assert len(compose_runs) == 2 and compose_runs[-1].produced == 1

    # regenerating the scene returns it to a generated clip
    back = payload(await api(REGENERATE, {"input": {"sceneId": end["id"]}}), "regenerateScene")
    assert back["userErrors"] == [] and back["scene"]["footage"] is None
