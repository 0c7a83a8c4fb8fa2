"""A split panel or a FEATURES panel and the narration's captions over the same scene never
show the same words together; a FEATURES scene's callouts come in one after another."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from domain.adapters.ffmpeg.layout import CompositionLayout
from domain.adapters.ffmpeg.text import bundled_font
from domain.enums import SceneLayout, Transition
from domain.media.composition import Composition, SceneClip, TimedCaption
from domain.media.layout_geometry import features_boxes, split_regions
from domain.media.timing import plan_timeline
from domain.media.types import Size

SIZE = Size(480, 854)
TIMELINE = plan_timeline([3.0, 3.0], [Transition.CUT] * 2, fps=30)


def _layout(tmp_path: Path, caption: str, timed: tuple[TimedCaption, ...]) -> CompositionLayout:
    clips = (
        SceneClip(tmp_path / "a.mp4", 3.0, caption="Fresh bread"),
        SceneClip(tmp_path / "b.mp4", 3.0, caption=caption, layout=SceneLayout.SPLIT),
    )
    composition = Composition(scenes=clips, size=SIZE, timed_captions=timed)
    return CompositionLayout(composition, TIMELINE, tmp_path, bundled_font())


def _panel_has_words(tmp_path: Path, layout: CompositionLayout) -> bool:
    panel = layout.panels()[1]
    assert panel is not None
    _, region = split_regions(SIZE)
    art = np.asarray(Image.open(str(panel.source.path)).convert("RGB"))
    white = art[region.y : region.bottom, region.x : region.right].min(axis=2) > 235
    return bool(white.sum() > 50)


def test_captions_that_repeat_the_split_panel_are_hidden(tmp_path: Path) -> None:
    timed = (
        TimedCaption("Fresh bread", 0.3, 1.5),
        TimedCaption("Baked at dawn", 3.3, 4.0),
        TimedCaption("by people who love it", 4.0, 5.5),
    )
    layout = _layout(tmp_path, "Baked at dawn", timed)
    # the panel says the second: the first (another scene) and the third (other words) show
    assert [(x.start, x.end) for x in layout.captions()] == [(0.3, 1.5), (4.0, 5.5)]
    assert _panel_has_words(tmp_path, layout)  # the panel keeps its words


def test_captions_saying_other_words_show(tmp_path: Path) -> None:
    layout = _layout(
        tmp_path, "See the difference", (TimedCaption("Fresh every morning", 3.3, 4.5),)
    )
    assert len(layout.captions()) == 1 and _panel_has_words(tmp_path, layout)


def test_features_callouts_rise_in_one_by_one_and_hide_repeating_captions(tmp_path: Path) -> None:
    features = ("Hydrates for 24 hours", "SPF 30 sun shield", "No sticky feel")
    clips = (
        SceneClip(tmp_path / "a.mp4", 3.0, caption="Glow serum"),
        SceneClip(
            tmp_path / "b.mp4", 3.0, caption="Feel the difference", layout=SceneLayout.FEATURES
        ),
    )
    timed = (TimedCaption("Glow serum", 0.3, 1.5), TimedCaption("hydrates for 24 hours", 3.3, 4.5))
    composition = Composition(scenes=clips, size=SIZE, timed_captions=timed, features=features)
    layout = CompositionLayout(composition, TIMELINE, tmp_path, bundled_font())
    callouts = layout.callouts()
    assert len(callouts) == 3
    starts = [c.start for c in callouts]
    assert starts == sorted(starts) and len(set(starts)) == 3 and starts[0] >= 3.0
    box = features_boxes(SIZE).callouts
    assert all(box.y <= c.y and c.x == box.x for c in callouts)
    assert [c.y for c in callouts] == sorted(c.y for c in callouts)
    assert all(c.motion.rise > 0 and c.motion.fade_in > 0 for c in callouts)
    assert [x.start for x in layout.captions()] == [0.3]  # the callouts say the second
    panel = layout.panels()[1]
    assert panel is not None and panel.media == features_boxes(SIZE).picture
