"""Captions on rendered frames: in any script, inside the safe area of every aspect, at least
4.5:1 contrast whatever the scene behind them, never over a transition's blend or black."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.enums import Transition
from domain.media.composition import Composition, SceneClip
from domain.media.contrast import MIN_CONTRAST, ratio
from domain.media.geometry import safe_area
from domain.media.timing import plan_timeline
from domain.media.types import Size
from tests.support.ffmpeg_checks import frames, make

SIZES = {
    "16:9": Size(384, 216),
    "9:16": Size(216, 384),
    "1:1": Size(216, 216),
    "4:5": Size(216, 270),
}
SCENES = [  # (background, seconds, caption)
    ("white", 1.6, "It's 50% off: today [only] C:\\path"),
    ("black", 1.6, "مرحبا بالعالم (Sale) 50%"),
    ("yellow", 1.0, "नमस्ते दुनिया, आज ही खरीदें"),
    ("0x3050F0", 1.6, "שלום עולם — a long caption that has to wrap over more lines than one"),
]
TRANSITIONS = [Transition.CUT, Transition.FADE, Transition.DISSOLVE, Transition.WIPE_LEFT]


def _compose(tmp: Path, size: Size) -> Path:
    timeline = plan_timeline([s for _, s, _ in SCENES], TRANSITIONS)
    clips = []
    for index, (colour, _, _) in enumerate(SCENES):
        clip = tmp / f"clip{index}.mp4"
        seconds = timeline.clip_frames(index) / timeline.fps
        make(
            "-f", "lavfi", "-i", f"color=c={colour}:s={size.width}x{size.height}:r=30:d={seconds}",
            "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(clip),
        )  # fmt: skip
        clips.append(clip)
    composition = Composition(
        scenes=tuple(
            SceneClip(clip, seconds, transition, caption)
            for clip, (_, seconds, caption), transition in zip(
                clips, SCENES, TRANSITIONS, strict=True
            )
        ),
        size=size,
        brand_colors=("#FFDD00",),  # a light brand colour: the box must darken it
    )
    output = tmp / "ad.mp4"
    asyncio.run(FfmpegMediaEngine().compose(composition, output))
    return output


def _lum(pixels: np.ndarray) -> np.ndarray:
    linear = pixels / 255.0
    linear = np.where(linear <= 0.03928, linear / 12.92, ((linear + 0.055) / 1.055) ** 2.4)
    weights: np.ndarray = linear @ np.array([0.2126, 0.7152, 0.0722])
    return weights


@pytest.mark.parametrize("aspect", sorted(SIZES))
def test_captions_are_legible_safe_and_off_transitions(tmp_path: Path, aspect: str) -> None:
    size = SIZES[aspect]
    decoded = frames(_compose(tmp_path, size), width=size.width, height=size.height)
    timeline = plan_timeline([s for _, s, _ in SCENES], TRANSITIONS)
    safe = safe_area(size)
    for index in range(len(SCENES)):
        start, end = timeline.caption_window(index)
        frame = decoded[round((start + end) / 2 * timeline.fps)].astype(float)
        ground = np.median(frame[:4, :4].reshape(-1, 3), axis=0)
        changed = np.abs(frame - ground).max(axis=2) > 40
        ys, xs = np.nonzero(changed)
        assert len(ys), f"scene {index}: no caption on screen"
        # inside the safe area (a pixel of slack for chroma subsampling)
        assert xs.min() >= safe.x - 1 and xs.max() <= safe.right + 1, (aspect, index)
        assert ys.min() >= safe.y - 1 and ys.max() <= safe.bottom + 1, (aspect, index)
        # contrast of the words against their box, measured on the frame
        box = frame[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].reshape(-1, 3)
        lum = _lum(box)
        text = box[lum >= np.quantile(lum, 0.97)].mean(axis=0)
        ground_of_text = np.median(box, axis=0)
        measured = ratio(
            (round(text[0]), round(text[1]), round(text[2])),
            (round(ground_of_text[0]), round(ground_of_text[1]), round(ground_of_text[2])),
        )
        assert measured >= MIN_CONTRAST, (aspect, index, measured)
    # no caption while a transition blends (solid scenes: those frames are flat)
    for index in range(1, len(SCENES)):
        first = timeline.boundaries[index]
        for number in range(first, first + timeline.overlaps[index]):
            frame = decoded[number].astype(float)
            if TRANSITIONS[index] is Transition.WIPE_LEFT:  # two flat halves: flat per column
                spread = frame.std(axis=0).max()
            else:
                spread = frame.reshape(-1, 3).std(axis=0).max()
            assert spread < 10, (aspect, index, number, spread)  # a caption would be ~50+
