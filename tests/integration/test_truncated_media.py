"""A video or audio file cut short is refused, even when its index and first frames are intact."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from domain.adapters.media_inspector import FfmpegInspector
from domain.assets.sniff import SNIFF_BYTES, sniff
from domain.errors import DomainError
from domain.settings import Settings
from tests.conftest import Api
from tests.integration.test_assets_api import asset_count, make_client, stored_keys, upload
from tests.support.media import ffmpeg_exe

VIDEO = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"]
YUV = ["-pix_fmt", "yuv420p"]
TONE = ["-f", "lavfi", "-i", "sine=frequency=440"]
FASTSTART = ["-movflags", "+faststart"]

RECIPES = {
    "clip.mp4": [*VIDEO, *TONE, *YUV, "-c:v", "libx264", "-c:a", "aac", *FASTSTART],
    "clip.mov": [*VIDEO, *YUV, "-c:v", "libx264", *FASTSTART],
    "tone.m4a": [*TONE, "-c:a", "aac", *FASTSTART],
    "clip.webm": [*VIDEO, *TONE, *YUV, "-c:v", "libvpx-vp9", "-c:a", "libopus"],
    "tone.mp3": [*TONE, "-c:a", "libmp3lame"],
    "tone.ogg": [*TONE, "-c:a", "libvorbis"],
    "tone.wav": TONE,
}


def make(name: str, directory: Path, seconds: float = 4.0) -> Path:
    """A real file of ``seconds`` (the index of MP4, MOV and M4A at the front)."""
    out = directory / name
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *RECIPES[name],
         "-t", str(seconds), str(out)],
        check=True,
        timeout=120,
    )  # fmt: skip
    return out


def cut(path: Path, fraction: float = 0.6) -> Path:
    """A copy of ``path`` holding its first ``fraction`` of bytes."""
    data = path.read_bytes()
    out = path.with_name("cut-" + path.name)
    out.write_bytes(data[: int(len(data) * fraction)])
    return out


@pytest.mark.parametrize("name", sorted(RECIPES))
async def test_whole_files_pass_and_cut_ones_do_not(name: str, tmp_path: Path) -> None:
    inspector = FfmpegInspector(Settings(env="test", secret_key="test-" + "x" * 40))
    whole = make(name, tmp_path)
    info = await inspector.probe(whole, sniff(whole.read_bytes()[:SNIFF_BYTES]))
    assert info.duration is not None and abs(info.duration - 4.0) < 0.1
    truncated = cut(whole)
    with pytest.raises(DomainError) as caught:
        await inspector.probe(truncated, sniff(truncated.read_bytes()[:SNIFF_BYTES]))
    assert caught.value.code.value == "UNSUPPORTED_MEDIA"
    assert "truncated" in caught.value.message and caught.value.field == ["file"]


async def test_a_truncated_faststart_mp4_upload_is_refused(api: Api, container, tmp_path) -> None:
    truncated = cut(make("clip.mp4", tmp_path), 0.7)
    # its index is whole and its first frames decode: only the end gives it away
    inspector = FfmpegInspector(container.settings)
    info = await inspector.engine.probe(truncated)
    assert info.has_video and info.duration and info.duration > 3.9
    client_id = await make_client(api)
    response = await upload(api, truncated.read_bytes(), "clip.mp4", {"clientId": client_id})
    payload = response.json()["data"]["uploadAsset"]
    assert payload["asset"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["UNSUPPORTED_MEDIA"]
    assert await asset_count(container) == 0 and await stored_keys(container) == []
