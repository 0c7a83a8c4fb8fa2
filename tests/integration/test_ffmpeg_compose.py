"""Composition end to end on small media: timing, transitions, captions, logo, card, audio."""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from domain.adapters.ffmpeg import cards
from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.adapters.ffmpeg.text import bundled_font
from domain.adapters.providers.builtin_image import BuiltinImageProvider
from domain.adapters.providers.builtin_video import BuiltinVideoProvider
from domain.enums import RenderQuality, ShotType, Transition
from domain.media.compose import TextLayer, drawtext
from domain.media.composition import Composition, SceneClip, VoiceOver
from domain.media.timing import plan_timeline
from domain.media.types import MediaInfo, Size
from domain.ports.providers import ImageRequest, VideoRequest
from tests.support.ffmpeg_checks import (
    ffmpeg,
    frame_count,
    frames,
    image,
    loudness,
    make,
    mean_volume,
    psnr,
    run,
    streams,
)

SIZE = Size(240, 432)
TRICKY = "It's 50% off: now, [today]; C:\\path"


@dataclass
class Ad:
    path: Path
    info: MediaInfo
    durations: list[float]
    transitions: list[Transition]
    clips: list[Path]


async def _clips(
    tmp: Path, durations: list[float], transitions: list[Transition], continues: set[int]
) -> list[Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    engine = FfmpegMediaEngine()
    images, videos = BuiltinImageProvider(), BuiltinVideoProvider(engine)
    timeline = plan_timeline(durations, transitions)
    clips: list[Path] = []
    for index in range(len(durations)):
        key = tmp / f"key{index}.png"
        shots = list(ShotType)
        await images.generate_image(
            ImageRequest(SIZE, f"Scene {index}", shot_type=shots[index % len(shots)],
                         brand_colors=("#E63946", "#1D3557"), seed=index),
            key,
        )  # fmt: skip
        start = None
        if index in continues:
            start = await engine.last_frame(clips[-1], tmp / f"last{index - 1}.png")
        clip = tmp / f"clip{index}.mp4"
        await videos.generate_clip(
            VideoRequest(
                key, SIZE, timeline.clip_frames(index) / timeline.fps, start_image=start, seed=index
            ),
            clip,
        )
        clips.append(clip)
    return clips


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compose")


@pytest.fixture(scope="module")
def music(media_dir: Path) -> Path:
    """A quiet two-tone bed (about -30 LUFS): loudness normalisation must lift it."""
    path = media_dir / "music.mp3"
    make("-f", "lavfi", "-i", "sine=frequency=220:duration=4", "-f", "lavfi", "-i",
         "sine=frequency=330:duration=4", "-filter_complex", "amix=inputs=2,volume=0.05",
         "-c:a", "libmp3lame", str(path))  # fmt: skip
    return path


@pytest.fixture(scope="module")
def logo(media_dir: Path) -> Path:
    path = media_dir / "logo.png"
    img = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle((0, 0, 199, 79), 20, fill=(255, 255, 255, 255))
    img.save(path)
    return path


@pytest.fixture(scope="module")
def ad(media_dir: Path, music: Path, logo: Path) -> Ad:
    return asyncio.run(_make_ad(media_dir, music, logo))


async def _make_ad(media_dir: Path, music: Path, logo: Path) -> Ad:
    durations = [2.0, 1.5, 2.5]
    transitions = [Transition.CUT, Transition.CUT, Transition.DISSOLVE]
    clips = await _clips(media_dir, durations, transitions, continues={1})
    composition = Composition(
        scenes=tuple(
            SceneClip(clip, d, t, caption)
            for clip, d, t, caption in zip(
                clips, durations, transitions, [TRICKY, "Made for you", "Get yours"], strict=True
            )
        ),
        size=SIZE,
        brand_colors=("#E63946", "#1D3557"),
        logo=logo,
        call_to_action="Shop now",
        end_card_headline="Adreel Shoes",
        music=music,
        quality=RenderQuality.FAST,
    )
    seen: list[float] = []
    out = media_dir / "ad.mp4"
    info = await FfmpegMediaEngine().compose(composition, out, on_progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    return Ad(out, info, durations, transitions, clips)


async def test_duration_is_the_sum_of_scenes_to_the_frame(ad: Ad) -> None:
    assert frame_count(ad.path) == 180  # 6.0 s at 30 fps, the 0.5 s dissolve overlap included
    assert ad.info.duration is not None and abs(ad.info.duration - 6.0) <= 1 / 30


async def test_streams_are_normalised(ad: Ad) -> None:
    info = ad.info
    assert (info.width, info.height, info.fps) == (240, 432, 30.0)
    assert (info.video_codec, info.pix_fmt) == ("h264", "yuv420p")
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 48000, 2)
    assert "SAR 1:1" in streams(ad.path)


async def test_index_is_at_the_front(ad: Ad) -> None:
    head = ad.path.read_bytes()
    assert 0 < head.find(b"moov") < head.find(b"mdat")


async def test_loudness_is_web_level(ad: Ad) -> None:
    measured = loudness(ad.path)
    assert abs(measured["i"] - (-14.0)) <= 1.0
    assert measured["tp"] <= -0.5


async def test_continue_seam_survives_composition(ad: Ad) -> None:
    video = frames(ad.path, width=240, height=432)
    top = slice(0, 250)  # above the captions, which change at the cut
    seam = psnr(video[59][top], video[60][top])
    assert seam > 40
    assert psnr(video[104][top], video[105][top]) > seam - 25  # sanity: neighbours are close anyway
    # a real cut is a big change: scene 1 (frames 60..104) -> dissolve -> scene 2 from frame 105
    assert psnr(video[100][top], video[125][top]) < 25


async def test_end_card_shows_the_logo_and_cta(ad: Ad) -> None:
    video = frames(ad.path, width=240, height=432)
    card = video[-1]
    assert psnr(video[-1], video[-6]) > 40  # a still card: the moving scene is covered
    assert psnr(video[-1], video[130]) < 30  # and it is not the scene
    white = (card > 240).all(axis=2)
    assert white[40:200].sum() > 2000  # the big white logo sits in the upper part of the card
    navy = (np.abs(card.astype(int) - (0x1D, 0x35, 0x57)) < 24).all(axis=2)
    assert navy[200:].sum() > 300  # the call-to-action button, in the second brand colour


async def test_an_end_card_scene_is_all_card_coming_up_from_black(
    media_dir: Path, logo: Path
) -> None:
    durations, transitions = [2.0, 2.0], [Transition.CUT, Transition.FADE]
    clips = await _clips(media_dir / "card-scene", durations, transitions, continues=set())
    videos = []
    for whole in (True, False):
        composition = Composition(
            scenes=(SceneClip(clips[0], 2.0), SceneClip(clips[1], 2.0, Transition.FADE, "Go")),
            size=SIZE, brand_colors=("#E63946", "#1D3557"), logo=logo, call_to_action="Go",
            end_card_scene=whole, quality=RenderQuality.FAST,
        )  # fmt: skip
        out = media_dir / f"card-scene-{whole}.mp4"
        await FfmpegMediaEngine().compose(composition, out)
        videos.append(frames(out, width=240, height=432))
    card_scene, plain = videos
    middle = 60 + 9  # the 0.6 s dip to black into the last scene starts at frame 60
    assert card_scene[middle].mean() < 20  # black at the middle of the dip
    assert psnr(card_scene[middle + 25], card_scene[-1]) > 40  # then only the card, up to the end
    assert psnr(plain[middle + 25], plain[-1]) < 30  # a plain last scene shows before its card


def _logo(colour: tuple[int, int, int]) -> Image.Image:
    logo = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rounded_rectangle((0, 0, 199, 79), 20, fill=(*colour, 255))
    return logo


def test_end_card_and_logo_follow_the_logo_ink(tmp_path: Path) -> None:
    palette = ((0xE6, 0x39, 0x46), (0x1D, 0x35, 0x57))
    text = cards.CardText("Adreel Shoes", "Shop now")
    for name, colour, light in (("dark", (20, 30, 60), True), ("light", (255, 255, 255), False)):
        logo = _logo(colour)
        assert cards.is_dark(logo) is light
        backdrop, words = cards.end_card(
            SIZE, palette, text, logo, bundled_font(), tmp_path / f"{name}.png",
            tmp_path / f"{name}-words.png",
        )  # fmt: skip
        ground = image(backdrop).mean()
        assert ground > 200 if light else ground < 90  # a dark logo gets a light card
        assert words is not None
        with Image.open(words) as drawn:
            ink = np.asarray(drawn.getchannel("A")) > 128
        assert ink[: SIZE.height // 3].sum() == 0  # the words sit under the logo
        assert ink.sum() > 1500  # headline and button
        bug = cards.logo_bug(logo, SIZE, tmp_path / f"{name}-bug.png")
        with Image.open(bug.path) as drawn:
            rgba = np.asarray(drawn.convert("RGBA")).astype(int)
        assert rgba[0, 0, 3] == 0  # no plate: the corner shows the scene
        glow = rgba[(rgba[..., 3] > 10) & (rgba[..., 3] < 200)][:, :3].mean()
        assert glow > 200 if light else glow < 60  # a light glow behind a dark logo
        assert bug.x + Image.open(bug.path).width <= SIZE.width and bug.y > 0


def test_end_card_without_words_is_just_the_backdrop(tmp_path: Path) -> None:
    backdrop, words = cards.end_card(
        SIZE, ((0, 80, 70), (240, 160, 10)), cards.CardText(), None, bundled_font(),
        tmp_path / "card.png", tmp_path / "words.png",
    )  # fmt: skip
    assert words is None and not (tmp_path / "words.png").exists()
    assert image(backdrop).shape == (SIZE.height, SIZE.width, 3)


async def test_silent_track_when_there_is_no_music(media_dir: Path) -> None:
    durations = [1.0, 1.2, 0.9, 1.1, 1.0, 0.8, 1.0]
    transitions = list(Transition)
    clips = await _clips(media_dir / "silent", durations, transitions, continues=set())
    composition = Composition(
        scenes=tuple(
            SceneClip(c, d, t) for c, d, t in zip(clips, durations, transitions, strict=True)
        ),
        size=SIZE,
        quality=RenderQuality.FAST,
    )
    out = media_dir / "silent.mp4"
    info = await FfmpegMediaEngine().compose(composition, out)
    assert frame_count(out) == 210  # every transition kind, still exactly 7.0 s
    assert info.has_audio and info.sample_rate == 48000
    assert mean_volume(out) < -80


async def test_music_ducks_under_the_voice(media_dir: Path, logo: Path) -> None:
    bed = media_dir / "bed.wav"
    make("-f", "lavfi", "-i", "sine=frequency=200:duration=6", "-af", "volume=0.3", str(bed))
    voice = media_dir / "voice.wav"
    make("-f", "lavfi", "-i", "sine=frequency=1500:duration=2", "-af", "volume=0.5", str(voice))
    clips = await _clips(
        media_dir / "duck", [3.0, 3.0], [Transition.CUT, Transition.CUT], continues=set()
    )
    composition = Composition(
        scenes=(SceneClip(clips[0], 3.0), SceneClip(clips[1], 3.0)),
        size=SIZE,
        music=bed,
        voice=(VoiceOver(voice, 3.0),),
        quality=RenderQuality.FAST,
    )
    out = media_dir / "duck.mp4"
    await FfmpegMediaEngine().compose(composition, out)
    music_only = _band_volume(out, 200, 1.5, 1.0)
    under_voice = _band_volume(out, 200, 3.5, 1.0)
    assert under_voice < music_only - 4  # ducked by more than 4 dB while the voice speaks
    assert (
        _band_volume(out, 1500, 3.5, 1.0) > _band_volume(out, 1500, 1.5, 1.0) + 20
    )  # voice is there


def _band_volume(path: Path, hz: int, start: float, length: float) -> float:
    done = run("-ss", str(start), "-t", str(length), "-i", str(path), "-af",
               f"bandpass=f={hz}:width_type=q:w=4,volumedetect", "-f", "null", "-")  # fmt: skip
    line = next(row for row in done.stderr.splitlines() if "mean_volume" in row)
    return float(line.split("mean_volume:")[1].split("dB")[0])


def _render_drawtext(tmp: Path, text: str, size: int) -> np.ndarray:
    text_file = tmp / "weird dir, [x]; it's: 100%" / "caption.txt"
    text_file.parent.mkdir(parents=True, exist_ok=True)
    text_file.write_text(text, encoding="utf-8")
    layer = TextLayer(text_file, size, 0.0, 10.0, 20, "top", box=False)
    graph = f"color=c=black:s=1000x100:d=1,{drawtext(layer, bundled_font())}".replace(
        "alpha=clip", "alpha=1+0*clip"
    )
    done = subprocess.run(
        [ffmpeg(), "-v", "error", "-f", "lavfi", "-i", graph, "-ss", "0.5", "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert text not in " ".join([graph])  # the text itself never enters the filtergraph
    return np.frombuffer(done.stdout, np.uint8).reshape(100, 1000)


def _render_pillow(text: str, size: int) -> np.ndarray:
    img = Image.new("L", (1000, 100), 0)
    font = ImageFont.truetype(str(bundled_font()), size)
    ImageDraw.Draw(img).text(((1000 - font.getlength(text)) / 2, 20), text, font=font, fill=255)
    return np.asarray(img)


def _ink_box(pixels: np.ndarray) -> np.ndarray:
    ink = pixels > 128
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    return pixels[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(float)


def _same_text(a: np.ndarray, b: np.ndarray) -> bool:
    """Same ink extent (within 3 px) and nearly the same glyph pixels once aligned."""
    box_a, box_b = _ink_box(a), _ink_box(b)
    if abs(box_a.shape[1] - box_b.shape[1]) > 3 or abs(box_a.shape[0] - box_b.shape[0]) > 3:
        return False
    h, w = min(box_a.shape[0], box_b.shape[0]), min(box_a.shape[1], box_b.shape[1])
    return bool(np.corrcoef(box_a[:h, :w].ravel(), box_b[:h, :w].ravel())[0, 1] > 0.9)


def test_tricky_caption_renders_exactly(tmp_path: Path) -> None:
    drawn = _render_drawtext(tmp_path, TRICKY, 32)
    assert _same_text(drawn, _render_pillow(TRICKY, 32))
    # the comparison is sharp enough to notice one lost character or an expanded escape
    assert not _same_text(drawn, _render_pillow(TRICKY.replace("\\", ""), 32))
    assert not _same_text(drawn, _render_pillow(TRICKY.replace("%", ""), 32))
    assert not _same_text(drawn, _render_pillow(TRICKY.replace(":", "", 1), 32))


def _children() -> set[int]:
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        text = (task / "children").read_text().split()
        pids.update(int(pid) for pid in text)
    return pids


async def test_cancelled_composition_kills_ffmpeg_and_leaves_nothing(
    media_dir: Path, music: Path, logo: Path
) -> None:
    work = media_dir / "cancel"
    clips = await _clips(work, [3.0, 3.0], [Transition.CUT, Transition.FADE], continues=set())
    out_dir = work / "out"
    out_dir.mkdir()
    composition = Composition(
        scenes=(SceneClip(clips[0], 3.0, caption="one"), SceneClip(clips[1], 3.0, Transition.FADE)),
        size=Size(720, 1280),  # large enough to still be encoding when cancelled
        logo=logo,
        call_to_action="Buy",
        music=music,
        quality=RenderQuality.HIGH,
    )
    before = _children()
    started = asyncio.Event()

    def on_progress(fraction: float) -> None:
        if fraction > 0.1:
            started.set()

    task = asyncio.create_task(
        FfmpegMediaEngine().compose(composition, out_dir / "ad.mp4", on_progress=on_progress)
    )
    await asyncio.wait_for(started.wait(), 120)
    running = _children() - before
    assert running  # an FFmpeg child is at work
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not (_children() & running)
    assert list(out_dir.iterdir()) == []  # no output, no partial file, no work directory
