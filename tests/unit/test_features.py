"""Brief features: validation, the benefit scene's script from them, the FEATURES layout's
choice, what the hosted planner is sent, and the layout's geometry, timing and colours."""

from __future__ import annotations

import itertools

import pytest

from domain.adapters.providers.openai_planner import brief_payload, instructions
from domain.enums import AspectRatio, Resolution, SceneBeat, SceneLayout
from domain.errors import ValidationErrors
from domain.media.callouts import ALL_IN_BY, callout_rows, callout_starts, marker_colors
from domain.media.contrast import MIN_CONTRAST, box_for, ratio
from domain.media.geometry import frame_size, safe_area
from domain.media.layout_geometry import CAPTION_ROOM, features_boxes
from domain.rules.brief import FEATURE_LIMIT, MAX_FEATURES, Brief, clean_brief
from domain.rules.layouts import SHOWS_PICTURE, choose_layouts
from domain.rules.planner import PlanRequest, plan_offline
from domain.rules.planner_copy import listed

B, L = SceneBeat, SceneLayout
FEATURES = ("Hydrates for 24 hours", "SPF 30 sun shield", "No sticky feel")


def _codes(error: ValidationErrors) -> list[tuple[str, list[str] | None]]:
    return [(e.message, e.field) for e in error.errors]


def test_features_are_trimmed_and_kept_through_storage() -> None:
    brief = clean_brief(product="Glow serum", features=["  Hydrates   for 24 hours ", "SPF 30"])
    assert brief.features == ("Hydrates for 24 hours", "SPF 30")
    assert Brief.from_dict(brief.to_dict()) == brief
    assert "features" not in clean_brief(product="Glow serum").to_dict()  # stored as before
    assert clean_brief(**brief.to_dict()) == brief  # a variant's brief is cleaned again


@pytest.mark.parametrize(
    ("features", "message", "field"),
    [
        (["a"] * (MAX_FEATURES + 1), f"features must list at most {MAX_FEATURES}",
         ["brief", "features"]),
        (["ok", "   "], "a feature must not be empty", ["brief", "features", "1"]),
        (["x" * (FEATURE_LIMIT + 1)], f"a feature must be at most {FEATURE_LIMIT} characters",
         ["brief", "features", "0"]),
        (["bad\x07bell"], "a feature must not contain control characters",
         ["brief", "features", "0"]),
    ],
)  # fmt: skip
def test_bad_features_are_typed_errors(features: list[str], message: str, field: list[str]) -> None:
    with pytest.raises(ValidationErrors) as caught:
        clean_brief(product="Glow serum", features=features)
    assert (message, field) in _codes(caught.value)


def _plan(voiceover: bool, duration: float = 15.0, **brief: object) -> list[str]:
    request = PlanRequest(
        brief=clean_brief(product="Glow serum", **brief),  # type: ignore[arg-type]
        duration_seconds=duration,
        aspect_ratio=AspectRatio.PORTRAIT_9_16,
        scene_count=5,
        voiceover=voiceover,
    )
    return [s.script for s in plan_offline(request).scenes]


def test_the_built_in_planner_says_the_features_in_the_benefit_scene() -> None:
    written = _plan(False, features=list(FEATURES))
    assert written[3] == "Glow serum: hydrates for 24 hours, SPF 30 sun shield and no sticky feel."
    assert _plan(False)[3] == "Glow serum: feel the difference."  # no features: the tagline
    # spoken: as many features as the scene's time allows, always at least the first
    short, long = _plan(True, features=list(FEATURES)), _plan(True, 40.0, features=list(FEATURES))
    assert short[3].startswith("Glow serum: hydrates for 24 hours")
    assert long[3] == written[3]
    assert listed(("SPF 30", "iPhone case")) == "SPF 30 and iPhone case"  # names keep capitals


def test_the_hosted_planner_is_sent_the_features() -> None:
    request = PlanRequest(
        brief=clean_brief(product="Glow serum", features=list(FEATURES)),
        duration_seconds=15.0,
        aspect_ratio=AspectRatio.SQUARE_1_1,
    )
    assert brief_payload(request)["brief"]["features"] == list(FEATURES)
    assert "BENEFIT scene whose script says them" in instructions(request)


def test_features_layout_for_the_benefit_beat_when_features_exist() -> None:
    beats = [B.HOOK, B.PROBLEM, B.PRODUCT, B.BENEFIT, B.BENEFIT, B.END_CARD]
    products, words = [True] * 6, [True] * 6
    plain = choose_layouts(beats, products, words, "calm")
    with_features = choose_layouts(beats, products, words, "calm", features=3)
    assert with_features[3] is L.FEATURES and plain[3] is not L.FEATURES
    assert with_features.count(L.FEATURES) == 1  # the first benefit scene only
    assert L.FEATURES not in choose_layouts(beats, products, words, "calm", features=1)
    cast = [False, False, False, True, False, False]  # the character's scene stays full
    assert choose_layouts(beats, products, words, "", characters=cast, features=3)[3] is L.FULL
    assert L.FEATURES in SHOWS_PICTURE  # its product picture counts as a product shot


@pytest.mark.parametrize("aspect", list(AspectRatio))
def test_features_boxes_in_every_aspect(aspect: AspectRatio) -> None:
    size = frame_size(Resolution.P1080, aspect)
    boxes = features_boxes(size)
    safe, unit = safe_area(size), min(size.width, size.height)
    assert boxes.picture.width * boxes.picture.height + boxes.panel.width * boxes.panel.height == (
        size.pixels
    )
    assert 0.3 < boxes.picture.width * boxes.picture.height / size.pixels < 0.55
    for box in (boxes.heading, boxes.callouts):  # words: in the panel and the safe area
        assert boxes.panel.x <= box.x and box.right <= boxes.panel.right
        assert boxes.panel.y <= box.y and box.bottom <= boxes.panel.bottom
        assert safe.x <= box.x and box.right <= safe.right
        assert safe.y <= box.y and box.bottom <= safe.bottom - round(unit * CAPTION_ROOM)
    assert boxes.heading.bottom <= boxes.callouts.y
    assert boxes.callouts.width >= unit * 0.4 and boxes.callouts.height >= unit * 0.3


def test_callouts_come_in_one_by_one_within_the_scene() -> None:
    starts = callout_starts(2.0, 6.0, 4)
    assert starts[0] > 2.0 and all(b > a for a, b in itertools.pairwise(starts))
    assert starts[-1] <= 2.0 + 4.0 * ALL_IN_BY
    assert len(set(callout_starts(0.0, 0.6, 3))) == 3 and max(callout_starts(0, 0.6, 3)) < 0.6
    tops = callout_rows(100, 400, [50, 80, 50], 20)
    assert tops == [190, 190 + 50 + 20, 190 + 50 + 20 + 80 + 20]  # a 220 px block, centred


@pytest.mark.parametrize(
    "accent", [(245, 158, 11), (255, 255, 0), (15, 118, 110), (120, 120, 120), (255, 255, 255)]
)
def test_markers_and_panel_words_keep_contrast(accent: tuple[int, int, int]) -> None:
    fill, ink = marker_colors(accent)
    assert ratio(fill, ink) >= MIN_CONTRAST
    assert ratio((255, 255, 255), box_for((255, 255, 255), accent, 1.0)) >= MIN_CONTRAST
