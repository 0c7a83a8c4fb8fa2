"""Built-in image and video providers and clip normalisation, checked by decoding."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.adapters.providers.builtin_image import BuiltinImageProvider
from domain.adapters.providers.builtin_video import BuiltinVideoProvider
from domain.enums import AssetRole, ShotType
from domain.errors import DomainError, ErrorCode
from domain.media.clip import ClipSpec
from domain.media.inputs import png
from domain.media.motion import KenBurns
from domain.media.types import Size
from domain.ports.providers import ImageRequest, VideoRequest
from tests.support.ffmpeg_checks import ffmpeg, frame_count, frames, image, make, psnr, streams

SIZE = Size(240, 432)


@pytest.fixture(scope="module")
def engine() -> FfmpegMediaEngine:
    return FfmpegMediaEngine()


@pytest.fixture
def detailed(tmp_path: Path) -> Path:
    """A hard picture for codecs: sharp edges, saturated colours, fine text."""
    path = tmp_path / "detailed.png"
    make("-f", "lavfi", "-i", f"testsrc2=size={SIZE}", "-frames:v", "1", str(path))
    return path


# ------------------------------------------------------------------ image provider


async def test_brand_frame_has_exact_size_brand_colours_and_is_deterministic(
    tmp_path: Path,
) -> None:
    provider = BuiltinImageProvider()
    request = ImageRequest(
        SIZE, "Summer sale", shot_type=ShotType.WIDE, brand_colors=("#0044FF", "#00AAFF"), seed=7
    )
    first = await provider.generate_image(request, tmp_path / "a.png")
    again = await provider.generate_image(request, tmp_path / "b.png")
    assert first.cost_usd == 0.0 and first.provider == "builtin"
    pixels = image(first.path)
    assert pixels.shape == (SIZE.height, SIZE.width, 3)
    assert np.array_equal(pixels, image(again.path))
    red, _, blue = pixels.reshape(-1, 3).mean(axis=0)
    assert blue > red + 40  # a blue brand gives a blue frame
    other = await provider.generate_image(
        ImageRequest(
            SIZE, "Summer sale", shot_type=ShotType.WIDE, brand_colors=("#FF3300",), seed=7
        ),
        tmp_path / "c.png",
    )
    red, _, blue = image(other.path).reshape(-1, 3).mean(axis=0)
    assert red > blue + 40


@pytest.mark.parametrize("shot", list(ShotType))
async def test_scene_titles_are_never_drawn(tmp_path: Path, shot: ShotType) -> None:
    """A planner label ("Hook", "End card") must not reach the picture: the key image made with
    a title is the very image made without one."""
    provider = BuiltinImageProvider()
    titled = ImageRequest(SIZE, "Why it matters", shot_type=shot, brand_colors=("#222222",), seed=1)
    untitled = ImageRequest(SIZE, "", shot_type=shot, brand_colors=("#222222",), seed=1)
    with_title = image((await provider.generate_image(titled, tmp_path / "t.png")).path)
    without = image((await provider.generate_image(untitled, tmp_path / "u.png")).path)
    assert np.array_equal(with_title, without)


async def test_scene_titles_are_never_drawn_over_a_product(tmp_path: Path) -> None:
    product = tmp_path / "product.png"
    Image.new("RGBA", (300, 400), (240, 240, 240, 255)).save(product)
    provider = BuiltinImageProvider()
    shots = [
        image((await provider.generate_image(
            ImageRequest(SIZE, title, shot_type=ShotType.PRODUCT, brand_colors=("#335577",),
                         source_image=product, source_role=AssetRole.PRODUCT, seed=2),
            tmp_path / f"{index}.png",
        )).path)
        for index, title in enumerate(["Meet the bottle", ""])
    ]  # fmt: skip
    assert np.array_equal(shots[0], shots[1])


async def test_ad_copy_is_drawn_only_when_asked(tmp_path: Path) -> None:
    provider = BuiltinImageProvider()
    base = ImageRequest(SIZE, "Big News", brand_colors=("#222222",), seed=1)
    plain = image((await provider.generate_image(base, tmp_path / "p.png")).path)
    copy = ImageRequest(SIZE, "Big News", brand_colors=("#222222",), seed=1, text="Summer sale")
    lettered = image((await provider.generate_image(copy, tmp_path / "t.png")).path)
    band = slice(int(SIZE.height * 0.3), int(SIZE.height * 0.5))
    assert (lettered[band] > 235).all(axis=2).sum() > 200  # white letters on a dark brand
    assert (plain[band] > 235).all(axis=2).sum() == 0


async def test_a_frame_without_a_picture_keeps_the_caption_band_calm(tmp_path: Path) -> None:
    """Shapes live in the upper two thirds; the lower band, where captions go, stays plain."""
    provider = BuiltinImageProvider()
    for index, shot in enumerate(ShotType):
        request = ImageRequest(SIZE, shot_type=shot, brand_colors=("#0F766E", "#F59E0B"), seed=5)
        pixels = image((await provider.generate_image(request, tmp_path / f"{index}.png")).path)
        top = pixels[: int(SIZE.height * 0.55)].astype(float)
        low = pixels[int(SIZE.height * 0.72) : int(SIZE.height * 0.8)].astype(float)
        assert top.std(axis=(0, 1)).mean() > low.std(axis=(0, 1)).mean(), shot
        assert low.mean() < 110, shot  # deep: white captions read on it


async def test_product_is_fitted_whole_without_distortion(tmp_path: Path) -> None:
    product = tmp_path / "product.png"
    shot = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(shot).rectangle((0, 0, 399, 199), fill=(0, 255, 0, 255))  # a 2:1 green block
    shot.save(product)
    provider = BuiltinImageProvider()
    request = ImageRequest(
        SIZE, "x", shot_type=ShotType.PRODUCT, brand_colors=("#880000",),
        source_image=product, source_role=AssetRole.PRODUCT,
    )  # fmt: skip
    pixels = image((await provider.generate_image(request, tmp_path / "k.png")).path).astype(int)
    green = (pixels[..., 1] > 180) & (pixels[..., 0] < 90) & (pixels[..., 2] < 90)
    ys, xs = np.nonzero(green)
    width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
    assert abs(width / height - 2.0) < 0.08  # aspect kept
    assert abs((xs.min() + xs.max()) / 2 - SIZE.width / 2) < 3  # centred
    assert xs.min() > 0 and xs.max() < SIZE.width - 1  # whole, inside the frame


async def test_extreme_close_up_of_a_cut_out_stands_on_the_brand_ground(tmp_path: Path) -> None:
    """Transparency around a product must never turn into black bars when the shot moves in."""
    product = tmp_path / "cutout.png"
    shot = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(shot).ellipse((100, 40, 300, 360), fill=(250, 250, 250, 255))  # a pebble
    shot.save(product)
    request = ImageRequest(
        SIZE, shot_type=ShotType.EXTREME_CLOSE_UP, brand_colors=("#0044FF",),
        source_image=product, source_role=AssetRole.PRODUCT,
    )  # fmt: skip
    pixels = image((await BuiltinImageProvider().generate_image(request, tmp_path / "k.png")).path)
    white = (pixels > 200).all(axis=2)
    assert white.mean() > 0.3  # the product fills much of the frame (a detail)
    ground = pixels[~white].astype(int)
    assert (ground.max(axis=1) < 12).mean() < 0.05  # and no black where it was transparent
    assert ground[:, 2].mean() > ground[:, 0].mean() + 20  # the blue brand shows around it


async def test_background_asset_fills_the_frame(tmp_path: Path) -> None:
    background = tmp_path / "bg.jpg"
    Image.new("RGB", (1000, 300), (10, 200, 10)).save(background)
    provider = BuiltinImageProvider()
    request = ImageRequest(SIZE, "x", source_image=background, source_role=AssetRole.BACKGROUND)
    pixels = image((await provider.generate_image(request, tmp_path / "k.png")).path)
    centre = pixels[
        SIZE.height // 2 - 20 : SIZE.height // 2 + 20, SIZE.width // 2 - 20 : SIZE.width // 2 + 20
    ]
    assert centre[..., 1].mean() > 150 and centre[..., 0].mean() < 60


async def test_unreadable_or_huge_assets_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    provider = BuiltinImageProvider(max_pixels=1000)
    fake = tmp_path / "fake.png"
    fake.write_text("not an image")
    with pytest.raises(DomainError) as caught:
        await provider.generate_image(
            ImageRequest(SIZE, source_image=fake, source_role=AssetRole.PRODUCT), tmp_path / "o.png"
        )
    assert caught.value.code == ErrorCode.UNSUPPORTED_MEDIA
    big = tmp_path / "big.png"
    Image.new("RGB", (100, 100)).save(big)
    with pytest.raises(DomainError) as caught:
        await provider.generate_image(
            ImageRequest(SIZE, source_image=big, source_role=AssetRole.PRODUCT), tmp_path / "o.png"
        )
    assert caught.value.code == ErrorCode.TOO_LARGE
    assert not (tmp_path / "o.png").exists()


# ------------------------------------------------------------------ video provider


async def test_clip_has_exact_frames_size_and_rate(
    engine: FfmpegMediaEngine, detailed: Path, tmp_path: Path
) -> None:
    provider = BuiltinVideoProvider(engine)
    out = tmp_path / "clip.mp4"
    result = await provider.generate_clip(
        VideoRequest(detailed, SIZE, 1.7, shot_type=ShotType.CLOSE_UP), out
    )
    assert result.cost_usd == 0.0
    assert frame_count(out) == 51
    info = await engine.probe(out)
    assert (info.width, info.height, info.fps, info.video_codec) == (240, 432, 30.0, "h264")
    assert info.pix_fmt == "yuv420p"
    assert not info.has_audio


async def test_continue_clip_starts_on_the_previous_last_frame(
    engine: FfmpegMediaEngine, detailed: Path, tmp_path: Path
) -> None:
    provider = BuiltinVideoProvider(engine)
    first = tmp_path / "one.mp4"
    await provider.generate_clip(
        VideoRequest(detailed, SIZE, 1.5, shot_type=ShotType.CLOSE_UP, seed=2), first
    )
    last = await engine.last_frame(first, tmp_path / "last.png")
    key = tmp_path / "next.png"
    await BuiltinImageProvider().generate_image(ImageRequest(SIZE, "Next", seed=3), key)
    second = tmp_path / "two.mp4"
    await provider.generate_clip(
        VideoRequest(key, SIZE, 2.0, shot_type=ShotType.WIDE, start_image=last, seed=4), second
    )
    one, two = frames(first, width=240, height=432), frames(second, width=240, height=432)
    assert len(two) == 60
    assert psnr(one[-1], two[0]) > 45  # the seam is invisible
    assert psnr(image(last), two[0]) > 40
    assert psnr(two[0], two[-1]) < 25  # and the clip then really moves on to its own image
    assert psnr(image(key), two[-1]) > psnr(image(last), two[-1])


def _raw_gray(args: list[str]) -> np.ndarray:
    done = subprocess.run(
        [ffmpeg(), "-v", "error", *args, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return np.frombuffer(done.stdout, np.uint8).reshape(-1, SIZE.height, SIZE.width).astype(float)


def _smooth(video: np.ndarray) -> bool:
    """Frame-to-frame change varies gently in the middle of the move (no stalls, no jumps)."""
    change = np.abs(np.diff(video, axis=0)).mean(axis=(1, 2))
    middle = change[len(change) // 5 : -len(change) // 5]
    ratios = middle[1:] / np.maximum(middle[:-1], 1e-9)
    return bool(
        middle.min() > 0.4 * np.median(middle) and ratios.min() > 0.7 and ratios.max() < 1.4
    )


@pytest.mark.parametrize(
    "motion",
    [KenBurns(1.0, 1.03), KenBurns(1.0, 1.12, 0.3, 0.7), KenBurns(1.1, 1.0, 0.8, 0.2, 0.3, 0.6)],
)
async def test_ken_burns_motion_is_smooth_where_zoompan_stutters(
    engine: FfmpegMediaEngine, detailed: Path, motion: KenBurns
) -> None:
    spec = ClipSpec(png(detailed), detailed.with_suffix(".mp4"), SIZE, 90, motion)
    ours = _raw_gray(["-i", str(await engine.render_clip(spec))])
    assert len(ours) == 90
    assert _smooth(ours)
    zoompan = _raw_gray(["-loop", "1", "-framerate", "30", "-i", str(detailed), "-vf",
                         "zoompan=z='1+0.03*on/89':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2'"
                         f":d=1:s={SIZE}:fps=30", "-frames:v", "90"])  # fmt: skip
    assert not _smooth(zoompan)  # the check does catch whole-pixel stepping


async def test_a_continued_clip_opens_on_its_start_image_and_wipes_to_its_own(
    engine: FfmpegMediaEngine, detailed: Path, tmp_path: Path
) -> None:
    """The piped stream alternates the two stills through the wipe; decoded, the clip holds the
    start image exactly first, the wipe's edge travels leftwards, then the key image."""
    key = tmp_path / "key.png"
    Image.new("RGB", (SIZE.width, SIZE.height), (20, 40, 200)).save(key)
    spec = ClipSpec(
        png(key), tmp_path / "wipe.mp4", SIZE, 40, KenBurns(1.0, 1.1),
        start_image=png(detailed), crossfade_start=10, crossfade_frames=12,
    )  # fmt: skip
    video = frames(await engine.render_clip(spec), width=SIZE.width, height=SIZE.height)
    assert len(video) == 40
    assert psnr(image(detailed), video[0]) > 40  # the exact start image (near-lossless zone)
    blue = np.array([20, 40, 200], float)
    off_blue = [np.abs(frame.astype(float) - blue).mean(axis=(0, 2)) for frame in video]
    assert off_blue[9].min() > 20  # no key image before the wipe
    assert off_blue[-1].max() < 6  # all key image after it
    middle = off_blue[16]  # mid-wipe: the key image has come in from the right edge only
    assert middle[-SIZE.width // 8 :].mean() < 6 < middle[: SIZE.width // 8].mean()


# ------------------------------------------------------------------ normalisation


async def test_normalize_regrids_a_foreign_clip(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    source = tmp_path / "remote.mp4"
    make("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=24:duration=1.5", "-f", "lavfi", "-i",
         "sine=duration=1.5:sample_rate=44100", "-c:v", "libx264", "-c:a", "aac", "-shortest", str(source))  # fmt: skip
    out = await engine.normalize_clip(source, tmp_path / "norm.mp4", size=SIZE, frames=60, fps=30)
    info = await engine.probe(out)
    assert frame_count(out) == 60  # 1.5 s of source held on its last frame up to 2 s
    assert (info.width, info.height, info.fps, info.pix_fmt) == (240, 432, 30.0, "yuv420p")
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 48000, 2)
    assert "SAR 1:1" in streams(out)
    silent_source = tmp_path / "mute.mp4"
    make(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=30:duration=3",
        "-c:v",
        "libx264",
        str(silent_source),
    )
    out = await engine.normalize_clip(
        silent_source, tmp_path / "mute-norm.mp4", size=SIZE, frames=45
    )
    assert frame_count(out) == 45
    assert (await engine.probe(out)).has_audio  # a silent track, so every clip has one
