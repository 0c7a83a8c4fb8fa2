"""The narration step's pure pieces and the timed captions of the composition layout."""

from __future__ import annotations

import uuid
from pathlib import Path

from domain.adapters.ffmpeg.layout import CompositionLayout
from domain.adapters.ffmpeg.text import bundled_font
from domain.enums import SceneBeat, SceneContinuity, ShotType, Transition
from domain.media.composition import Composition, SceneClip, TimedCaption
from domain.media.timing import plan_timeline
from domain.media.types import Size
from domain.models import Scene
from domain.rules.captions import WordTiming
from domain.services.pipeline.narration import spoken_line, words_from_json, words_to_json


def test_word_timings_survive_the_json_column() -> None:
    words = (WordTiming("Fresh", 0.31, 0.62), WordTiming("bread.", 0.7, 1.05))
    assert words_from_json(words_to_json(words)) == words
    assert words_from_json(None) == ()


def _scene(beat: SceneBeat, script: str) -> Scene:
    return Scene(
        id=uuid.uuid4(), beat=beat, script=script, shot_type=ShotType.WIDE,
        transition=Transition.CUT, duration_seconds=3.0, continuity=SceneContinuity.CUT,
    )  # fmt: skip


def test_the_end_card_speaks_the_call_to_action() -> None:
    assert spoken_line(_scene(SceneBeat.END_CARD, "Buy."), "Shop the spring collection") == (
        "Shop the spring collection"
    )
    assert spoken_line(_scene(SceneBeat.END_CARD, " Buy. "), None) == "Buy."
    assert spoken_line(_scene(SceneBeat.HOOK, " Run free. "), "Shop") == "Run free."


def test_timed_captions_replace_the_scene_captions(tmp_path: Path) -> None:
    clips = (SceneClip(tmp_path / "a.mp4", 3.0, caption="static"),) * 2
    timeline = plan_timeline([3.0, 3.0], [Transition.CUT] * 2, fps=30)
    timed = (TimedCaption("Fresh bread", 0.3, 1.0), TimedCaption("every morning", 1.0, 1.8))
    composition = Composition(scenes=clips, size=Size(480, 854), timed_captions=timed)
    layers = CompositionLayout(composition, timeline, tmp_path, bundled_font()).captions()
    # on exactly their frames: the first rises in (not fading out: the next follows at once),
    # the second replaces it in place and fades out before the gap after it
    assert [(x.start, x.end) for x in layers] == [(0.3, 1.0), (1.0, 1.8)]
    first, second = (x.motion for x in layers)
    assert first.fade_in > 0 and first.rise > 0 and first.fade_out == 0
    assert second.fade_in == 0 and second.rise == 0 and second.fade_out > 0
    plain = Composition(scenes=clips, size=Size(480, 854))
    static = CompositionLayout(plain, timeline, tmp_path, bundled_font()).captions()
    assert len(static) == 2 and all(x.motion.fade_in > 0 and x.motion.fade_out > 0 for x in static)
