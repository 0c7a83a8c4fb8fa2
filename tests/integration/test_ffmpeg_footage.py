"""Footage through real FFmpeg: in-points, cover fit, rotation, variable frame rate, HDR, sound.

Every check decodes the output: frame counts, sizes, where the corner markers are, the centre
square's shape (nothing stretched), PSNR against the source frame at the in-point, loudness.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.errors import ErrorCode
from domain.media.composition import Composition, SceneClip
from domain.media.errors import MediaError
from domain.media.footage import cover
from domain.media.frames import TO_RGB
from domain.media.types import Size
from tests.support.ffmpeg_checks import frames, loudness, make, mean_volume, psnr
from tests.support.footage import (
    centre_square_aspect,
    corner_colors,
    hdr_clip,
    marked_clip,
    phone_clip,
    vfr_clip,
)
from tests.support.pipeline import decode

pytestmark = pytest.mark.slow

PORTRAIT = Size(180, 320)
LANDSCAPE = Size(320, 180)
UPRIGHT = {"tl": "tl", "tr": "tr", "bl": "bl", "br": "br"}


@pytest.fixture
def engine() -> FfmpegMediaEngine:
    return FfmpegMediaEngine()


def reference_frame(source: Path, seconds: float, size: Size, target: Path) -> np.ndarray:
    """The source frame at ``seconds``, cover-fitted to ``size`` like the engine does, as RGB."""
    make(
        "-ss", f"{seconds}", "-i", str(source), "-frames:v", "1",
        "-vf", f"{cover(size)},{TO_RGB}", "-pix_fmt", "rgb24", "-f", "image2", str(target),
    )  # fmt: skip
    frame: np.ndarray = frames(target, width=size.width, height=size.height, precise=True)[0]
    return frame


async def test_fade_in_is_skipped_and_trim_starts_on_the_source_frame(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    source = marked_clip(tmp_path / "fade.mp4", width=320, height=180, seconds=5, fade_in=1.0)
    cut = await engine.footage_cut(source, trim_start=None, scene_seconds=2.0)
    assert 0.9 <= cut.start_seconds <= 1.3, cut  # the fade from black is skipped
    assert cut.held_seconds == 0.0
    # a set in-point wins; a late one is kept and the rest of the scene holds the last frame
    assert (await engine.footage_cut(source, trim_start=2.0, scene_seconds=2.0)).start_seconds == 2
    late = await engine.footage_cut(source, trim_start=4.0, scene_seconds=2.0)
    assert late.held_seconds == pytest.approx(1.0, abs=0.05)

    clip = await engine.footage_clip(
        source, tmp_path / "clip.mp4", size=LANDSCAPE, frames=45, fps=30, start_seconds=2.0
    )
    decoded = decode(clip)
    assert (decoded.width, decoded.height, decoded.frames) == (320, 180, 45)
    got = frames(clip, width=320, height=180, precise=True)
    want = reference_frame(source, 2.0, LANDSCAPE, tmp_path / "ref.png")
    assert psnr(got[0], want) > 40
    assert corner_colors(got[0]) == UPRIGHT
    assert centre_square_aspect(got[0]) == pytest.approx(1.0, abs=0.1)

    still = await engine.footage_still(
        source, tmp_path / "still.png", size=LANDSCAPE, start_seconds=2.0
    )
    assert psnr(frames(still, width=320, height=180)[0], want) > 40


async def test_landscape_footage_covers_a_portrait_scene_without_stretching(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    source = marked_clip(tmp_path / "wide.mp4", width=320, height=180, seconds=2)
    clip = await engine.footage_clip(
        source, tmp_path / "tall.mp4", size=PORTRAIT, frames=30, fps=30, start_seconds=0.0
    )
    first = frames(clip, width=180, height=320)[0]
    assert centre_square_aspect(first) == pytest.approx(1.0, abs=0.1)  # cropped, not squeezed


async def test_phone_rotation_is_honoured(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    source = phone_clip(tmp_path / "phone.mp4", width=180, height=320, seconds=2)
    info = await engine.probe(source)
    assert (info.width, info.height) == (320, 180)  # coded sideways
    clip = await engine.footage_clip(
        source, tmp_path / "upright.mp4", size=PORTRAIT, frames=30, fps=30, start_seconds=0.5
    )
    first = frames(clip, width=180, height=320)[0]
    assert corner_colors(first) == UPRIGHT
    assert centre_square_aspect(first) == pytest.approx(1.0, abs=0.1)


async def test_variable_frame_rate_becomes_exact_frames(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    source = vfr_clip(tmp_path / "vfr.mp4", width=320, height=180, seconds=3)
    clip = await engine.footage_clip(
        source, tmp_path / "cfr.mp4", size=LANDSCAPE, frames=75, fps=30, start_seconds=0.0
    )
    decoded = decode(clip)
    assert decoded.frames == 75 and decoded.fps == 30
    assert decoded.has_audio  # a silent track where the footage had none


async def test_hdr_is_tone_mapped_or_refused(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    source = hdr_clip(tmp_path / "hdr.mp4", width=320, height=180, seconds=1)
    info = await engine.probe(source)
    assert info.color_transfer == "smpte2084" and info.pix_fmt == "yuv420p10le"
    clip = await engine.footage_clip(
        source, tmp_path / "sdr.mp4", size=LANDSCAPE, frames=15, fps=30, start_seconds=0.0
    )
    sdr = await engine.probe(clip)
    assert sdr.pix_fmt == "yuv420p" and sdr.color_transfer == "bt709"
    engine.footage._tone_map = False  # an FFmpeg without zscale/tonemap
    with pytest.raises(MediaError) as refused:
        await engine.footage_clip(
            source, tmp_path / "no.mp4", size=LANDSCAPE, frames=15, fps=30, start_seconds=0.0
        )
    assert refused.value.code is ErrorCode.UNSUPPORTED_MEDIA
    assert "HDR" in refused.value.message


async def test_footage_sound_is_mixed_or_muted(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    source = marked_clip(tmp_path / "talk.mp4", width=320, height=180, seconds=3)
    quiet = marked_clip(tmp_path / "quiet.mp4", width=320, height=180, seconds=3, audio=False)
    clips = []
    for name, src in (("a", source), ("b", quiet)):
        clips.append(
            await engine.footage_clip(
                src, tmp_path / f"{name}.mp4", size=LANDSCAPE, frames=60, fps=30,
                start_seconds=0.0,
            )
        )  # fmt: skip
    for sound in (True, False):
        composition = Composition(
            scenes=(SceneClip(clips[0], 2.0, sound=sound), SceneClip(clips[1], 2.0)),
            size=LANDSCAPE,
        )
        ad = await engine.compose(composition, tmp_path / f"ad-{sound}.mp4")
        assert ad.duration == pytest.approx(4.0, abs=0.05)
        if sound:
            assert abs(loudness(tmp_path / f"ad-{sound}.mp4")["i"] - (-14.0)) <= 1.0
            assert mean_volume(tmp_path / f"ad-{sound}.mp4", start=0.2, length=1.5) > -30
            assert mean_volume(tmp_path / f"ad-{sound}.mp4", start=2.2, length=1.5) < -60
        else:
            assert mean_volume(tmp_path / f"ad-{sound}.mp4", start=0.2, length=1.5) < -60
