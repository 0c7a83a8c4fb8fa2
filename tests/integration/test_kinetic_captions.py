"""Kinetic captions on decoded frames: a phrase rises and fades in, fades out before a gap, and
with the HIGHLIGHT style the spoken word's pill moves from word to word at the word times, in
the second brand colour with words at 4.5:1 on it; every style keeps 4.5:1 over any frame."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from domain.adapters.ffmpeg.caption_art import draw_caption
from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.adapters.ffmpeg.text import chain_for
from domain.enums import CaptionStyle
from domain.media.caption_ink import caption_ink
from domain.media.composition import Composition, SceneClip, TimedCaption
from domain.media.contrast import MIN_CONTRAST, ratio
from domain.media.types import Size
from tests.support.ffmpeg_checks import frames, make

FPS = 30
BRAND = ("#1F2A5C", "#F2C14E")  # deep blue box, warm yellow highlight
WORDS = [(0.5, 0.8), (0.8, 1.1), (1.1, 1.4), (1.4, 1.8)]  # "Fresh coffee every morning"
SIZE = Size(384, 216)


def _rgb(color: np.ndarray) -> tuple[int, int, int]:
    return (round(color[0]), round(color[1]), round(color[2]))


@pytest.fixture(scope="module")
def decoded(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    tmp = tmp_path_factory.mktemp("kinetic")
    clip = tmp / "clip.mp4"
    make(
        "-f", "lavfi", "-i", f"color=c=0x6A8CAA:s={SIZE.width}x{SIZE.height}:r=30:d=3",
        "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(clip),
    )  # fmt: skip
    composition = Composition(
        scenes=(SceneClip(clip, 3.0),),
        size=SIZE,
        brand_colors=BRAND,
        timed_captions=(
            TimedCaption("Fresh coffee every morning", 0.5, 1.8, tuple(WORDS)),
            TimedCaption("Order today", 2.2, 2.8, ((2.2, 2.5), (2.5, 2.8))),
        ),
        caption_style=CaptionStyle.HIGHLIGHT,
    )
    output = tmp / "ad.mp4"
    asyncio.run(FfmpegMediaEngine().compose(composition, output))
    return frames(output, width=SIZE.width, height=SIZE.height).astype(float)


def _changed(frame: np.ndarray) -> np.ndarray:
    changed: np.ndarray = np.abs(frame - np.array([0x6A, 0x8C, 0xAA])).max(axis=2) > 40
    return changed


def test_the_spoken_word_is_highlighted_in_turn(decoded: np.ndarray) -> None:
    accent = np.array(caption_ink(CaptionStyle.HIGHLIGHT, ((31, 42, 92), (242, 193, 78))).accent)
    centres = []
    for start, end in WORDS:
        frame = decoded[round((start + end) / 2 * FPS)]
        pill = np.abs(frame - accent).max(axis=2) < 30
        ys, xs = np.nonzero(pill)
        assert len(xs) > 80, (start, len(xs))
        centres.append(xs.mean())
        # the word on the pill keeps 4.5:1 with it (darkest pixels inside the pill's box)
        box = frame[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].reshape(-1, 3)
        lum = box.mean(axis=1)
        ink = box[lum <= np.quantile(lum, 0.05)].mean(axis=0)
        assert ratio(_rgb(ink), _rgb(accent)) >= MIN_CONTRAST
    assert all(a < b for a, b in itertools.pairwise(centres)), centres
    # the highlight changes on the frame the next word starts, and only there
    for start, _ in WORDS[1:]:
        k = round(start * FPS)
        before = np.abs(decoded[k - 1] - decoded[k - 2]).max(axis=2) > 40
        at = np.abs(decoded[k] - decoded[k - 1]).max(axis=2) > 40
        assert at.sum() > 60 and before.sum() < 10, (k, at.sum(), before.sum())


def test_phrases_rise_in_and_fade_out(decoded: np.ndarray) -> None:
    first = round(WORDS[0][0] * FPS)
    assert not _changed(decoded[first - 1]).any()  # nothing before the phrase
    tops = []
    strengths = []
    for number in range(first, first + 8):
        changed = _changed(decoded[number])
        ys, _ = np.nonzero(changed)
        assert len(ys), number  # visible from its own first frame
        tops.append(ys.min())
        strengths.append(np.abs(decoded[number] - decoded[first - 1]).max(axis=2)[changed].mean())
    assert tops[0] > tops[-1] + 5 and tops == sorted(tops, reverse=True)  # it rises, then stays
    assert strengths[0] < strengths[-1] - 10  # and fades in
    last = round(WORDS[-1][1] * FPS) - 1  # a gap follows: it fades out over its last frames
    fading = [np.abs(decoded[n] - decoded[first - 1]).max(axis=2).sum() for n in (last - 4, last)]
    assert fading[1] < 0.8 * fading[0]
    assert not _changed(decoded[last + 2]).any()


@pytest.mark.parametrize("style", list(CaptionStyle))
@pytest.mark.parametrize("behind", [(255, 255, 255), (0, 0, 0), (255, 221, 0)])
def test_every_style_keeps_contrast_over_any_frame(
    tmp_path: Path, style: CaptionStyle, behind: tuple[int, int, int]
) -> None:
    palette = ((255, 221, 0), (255, 255, 255))  # a light brand: every ground must be shaded
    art = draw_caption(["Sale 50% today"], 40, palette, chain_for(), tmp_path / "c.png",
                       style=style)  # fmt: skip
    with Image.open(art.path) as picture:
        over = Image.new("RGBA", picture.size, (*behind, 255))
        over.alpha_composite(picture.convert("RGBA"))
        pixels = np.asarray(over.convert("RGB")).astype(float).reshape(-1, 3)
        alpha = np.asarray(picture.getchannel("A")).reshape(-1)
    text = pixels[(pixels.min(axis=1) > 250) & (alpha > 250)]
    assert len(text) > 100
    ground = pixels[(alpha > 200) & (pixels.max(axis=1) < 200)]
    measured = ratio((255, 255, 255), _rgb(np.median(ground, axis=0)))
    assert measured >= MIN_CONTRAST, (style, behind, measured)
