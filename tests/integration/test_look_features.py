"""The FEATURES layout on rendered frames in every aspect: the product picture beside a brand
panel whose callouts come in one after another, inside the safe area, white words keeping
4.5:1 on the panel; a frame strip of the four aspects is saved for the docs."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import numpy as np
import pytest

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.adapters.ffmpeg.text import bundled_font
from domain.adapters.providers.builtin_image import render_key_image
from domain.enums import AspectRatio, AssetRole, Resolution, SceneLayout, ShotType, Transition
from domain.media.callouts import callout_starts
from domain.media.composition import Composition, SceneClip
from domain.media.contrast import MIN_CONTRAST, ratio
from domain.media.geometry import frame_size, safe_area
from domain.media.layout_geometry import features_boxes
from domain.media.timing import plan_timeline
from domain.ports.providers import ImageRequest
from tests.support.ffmpeg_checks import frames, make
from tests.support.look import product_photo, save_strip, shows_product

pytestmark = pytest.mark.slow

BRAND = ("#0F766E", "#F59E0B")
FEATURES = ("Hydrates for 24 hours", "SPF 30 sun shield", "No sticky feel",
            "Vegan, cruelty-free formula")  # fmt: skip
SECONDS = (2.0, 4.5)
TRANSITIONS = (Transition.CUT, Transition.DISSOLVE)
NAMES = {
    AspectRatio.LANDSCAPE_16_9: "16x9",
    AspectRatio.PORTRAIT_9_16: "9x16",
    AspectRatio.SQUARE_1_1: "1x1",
    AspectRatio.VERTICAL_4_5: "4x5",
}
STRIP: dict[AspectRatio, list[np.ndarray]] = {}


def _render(tmp: Path, aspect: AspectRatio) -> np.ndarray:
    size = frame_size(Resolution.P480, aspect)
    photo = product_photo(tmp / "photo.png", 0)
    key = render_key_image(
        ImageRequest(size=size, shot_type=ShotType.PRODUCT, brand_colors=BRAND,
                     source_image=photo, source_role=AssetRole.PRODUCT, seed=3),
        font=bundled_font(),
    )  # fmt: skip
    key.save(tmp / "key.png")
    timeline = plan_timeline(list(SECONDS), list(TRANSITIONS))
    clips = []
    for index in range(len(SECONDS)):
        clip = tmp / f"clip{index}.mp4"
        make(
            "-loop", "1", "-i", str(tmp / "key.png"), "-t",
            f"{timeline.clip_frames(index) / timeline.fps:.3f}", "-r", "30",
            "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(clip),
        )  # fmt: skip
        clips.append(clip)
    composition = Composition(
        scenes=(
            SceneClip(clips[0], SECONDS[0], TRANSITIONS[0], "Glow serum"),
            SceneClip(
                clips[1],
                SECONDS[1],
                TRANSITIONS[1],
                "Feel the difference",
                layout=SceneLayout.FEATURES,
            ),
        ),
        size=size,
        brand_colors=BRAND,
        features=FEATURES,
    )
    output = tmp / "ad.mp4"
    asyncio.run(FfmpegMediaEngine().compose(composition, output))
    return frames(output, width=size.width, height=size.height)


def _white(frame: np.ndarray) -> np.ndarray:
    return np.asarray(frame.min(axis=2) > 225)


@pytest.mark.parametrize("aspect", list(NAMES))
def test_features_layout_in_every_aspect(tmp_path: Path, aspect: AspectRatio) -> None:
    decoded = _render(tmp_path, aspect)
    size = frame_size(Resolution.P480, aspect)
    boxes, safe = features_boxes(size, captions=False), safe_area(size)
    timeline = plan_timeline(list(SECONDS), list(TRANSITIONS))
    start, end = timeline.caption_window(1)
    starts = callout_starts(start, end, len(FEATURES))
    box = boxes.panel
    # the heading first, then the callouts one by one: more of the panel's words after each
    counts = []
    for moment in [start + 0.05, *(s + 0.3 for s in starts)]:
        frame = decoded[round(moment * timeline.fps)]
        counts.append(int(_white(frame)[box.y : box.bottom, box.x : box.right].sum()))
    assert counts[0] > 0 and all(b > a for a, b in itertools.pairwise(counts)), counts
    full = decoded[round((end - 0.4) * timeline.fps)]  # all in, none going yet
    # the product picture shows beside the panel, and none of it in the panel
    picture = full[boxes.picture.y : boxes.picture.bottom, boxes.picture.x : boxes.picture.right]
    assert shows_product(picture, 0.03)
    # every word of the panel inside the safe area (the product's white label aside)
    white = np.zeros_like(_white(full))
    white[boxes.panel.y : boxes.panel.bottom, boxes.panel.x : boxes.panel.right] = _white(full)[
        boxes.panel.y : boxes.panel.bottom, boxes.panel.x : boxes.panel.right
    ]
    ys, xs = np.nonzero(white)
    assert len(ys) > 500
    assert safe.y <= ys.min() and ys.max() < safe.bottom, (ys.min(), ys.max(), safe)
    assert safe.x <= xs.min() and xs.max() < safe.right, (xs.min(), xs.max(), safe)
    # white words on the panel's ground keep 4.5:1 (the ground's lightest part near the words)
    panel = full[boxes.panel.y : boxes.panel.bottom, boxes.panel.x : boxes.panel.right]
    ground = panel[~_white(panel)].reshape(-1, 3)
    bright = tuple(int(c) for c in np.percentile(ground, 90, axis=0))
    assert ratio((255, 255, 255), (bright[0], bright[1], bright[2])) >= MIN_CONTRAST, bright
    STRIP[aspect] = [decoded[round((starts[1] + 0.3) * timeline.fps)], full]
    if len(STRIP) == len(NAMES):
        save_strip([f for a in NAMES for f in STRIP[a]], "look-features.png")
