"""Brand fonts: uploaded as FONT assets (typed by magic bytes, parsed whole, refused when
corrupt or lying), found for a job (given to it, else the client's brand kit), and first in the
chain of the captions and the end card on rendered frames."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.bootstrap import Container
from domain.enums import Transition
from domain.media.composition import Composition, SceneClip
from domain.media.timing import plan_timeline
from domain.media.types import Size
from domain.models import Asset, Campaign, Job
from domain.services.pipeline.brand import brand_font
from tests.conftest import Api
from tests.integration.test_assets_api import (
    asset_count,
    make_campaign,
    make_client,
    stored_keys,
    upload,
    upload_ok,
)
from tests.support.brand_fonts import (
    garbage_with_magic,
    lying_header,
    make_otf,
    noto_italic,
    truncated,
)
from tests.support.ffmpeg_checks import frames, make


async def test_fonts_upload_as_font_assets(api: Api, tmp_path: Path) -> None:
    client_id = await make_client(api)
    ttf = await upload_ok(api, noto_italic().read_bytes(), "brand.ttf", clientId=client_id,
                          role="FONT")  # fmt: skip
    otf = await upload_ok(api, make_otf(tmp_path / "box.otf").read_bytes(), "box.otf",
                          clientId=client_id)  # fmt: skip
    for payload, content_type in ((ttf, "font/ttf"), (otf, "font/otf")):
        asset = payload["asset"]
        assert (asset["status"], asset["kind"], asset["contentType"]) == (
            "READY", "FONT", content_type,
        )  # fmt: skip
        assert asset["thumbnailUrl"] is None and asset["width"] is None
    assert ttf["asset"]["role"] == "FONT"


@pytest.mark.parametrize(
    ("case", "name"),
    [("truncated", "brand.ttf"), ("lying", "brand.otf"), ("garbage", "brand.ttf"),
     ("woff", "brand.woff")],
)  # fmt: skip
async def test_bad_fonts_are_refused_and_leave_nothing(
    api: Api, container: Container, case: str, name: str
) -> None:
    real = noto_italic().read_bytes()
    data = {
        "truncated": truncated(real),
        "lying": lying_header(real),
        "garbage": garbage_with_magic(),
        "woff": b"wOFF" + real[4:],
    }[case]
    client_id = await make_client(api)
    response = await upload(api, data, name, {"clientId": client_id, "role": "FONT"})
    payload = response.json()["data"]["uploadAsset"]
    assert payload["asset"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["UNSUPPORTED_MEDIA"], payload
    assert await asset_count(container) == 0
    assert await stored_keys(container) == []


async def test_a_job_finds_its_font_then_the_brand_kit(
    api: Api, container: Container, tmp_path: Path
) -> None:
    client_id = await make_client(api)
    await make_campaign(api, client_id)
    await upload_ok(api, noto_italic().read_bytes(), "kit.ttf", clientId=client_id, role="FONT")
    otf = make_otf(tmp_path / "given.otf").read_bytes()
    await upload_ok(api, otf, "given.otf", clientId=client_id, role="FONT")
    async with container.session_factory() as session:
        rows = {a.filename: a for a in await session.scalars(select(Asset))}
        kit, given = rows["kit.ttf"], rows["given.otf"]
        campaign = (await session.scalars(select(Campaign))).one()
        job = Job(organization_id=kit.organization_id, campaign_id=campaign.id, asset_ids=[])
        assert await brand_font(session, job, [kit.id]) == kit.id  # given to the job
        assert await brand_font(session, job, [uuid.uuid4(), given.id]) == given.id
        newest = max((kit, given), key=lambda a: (a.created_at, a.id.hex))
        assert await brand_font(session, job, [uuid.uuid4()]) == newest.id  # the brand kit


def _ad(tmp: Path, size: Size, font: Path | None) -> np.ndarray:
    durations, transitions = [1.5, 1.5], [Transition.CUT, Transition.FADE]
    timeline = plan_timeline(durations, transitions)
    clips = []
    for index in range(2):
        clip = tmp / f"clip{index}.mp4"
        if not clip.exists():
            seconds = timeline.clip_frames(index) / timeline.fps
            make(
                "-f", "lavfi", "-i", f"color=c=0x335577:s={size.width}x{size.height}:r=30:d={seconds}",
                "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(clip),
            )  # fmt: skip
        clips.append(clip)
    composition = Composition(
        scenes=(
            SceneClip(clips[0], 1.5, Transition.CUT, "Brand type for Aurora"),
            SceneClip(clips[1], 1.5, Transition.FADE, None),
        ),
        size=size,
        brand_colors=("#204060", "#FFB000"),
        font=font,
        call_to_action="Shop the Aurora",
        end_card_headline="Aurora",
        end_card_scene=True,
    )
    output = tmp / f"ad-{'brand' if font else 'default'}.mp4"
    asyncio.run(FfmpegMediaEngine().compose(composition, output))
    return frames(output, width=size.width, height=size.height).astype(float)


def test_rendered_captions_and_end_card_use_the_brand_font(tmp_path: Path) -> None:
    size = Size(384, 216)
    default = _ad(tmp_path, size, None)
    branded = _ad(tmp_path, size, noto_italic())
    assert default.shape == branded.shape
    caption_frame, card_frame = 20, len(default) - 5
    for number in (caption_frame, card_frame):
        diff = np.abs(default[number] - branded[number]).max(axis=2)
        assert (diff > 60).sum() > 150, (number, int((diff > 60).sum()))
    # and nothing else changes: the scene's pixels away from the caption are the same
    top = np.abs(default[caption_frame][:60] - branded[caption_frame][:60]).max()
    assert top < 12
