"""The offline planner: scene counts, exact durations, shots, continuity, asset placement."""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import replace
from decimal import Decimal

import pytest

from domain.adapters.providers.builtin_planner import OfflinePlanner, planner_for
from domain.enums import (
    AspectRatio,
    AssetKind,
    AssetRole,
    SceneBeat,
    SceneContinuity,
    ShotType,
    Transition,
)
from domain.errors import DomainError, ErrorCode, ValidationErrors
from domain.rules.asset_roles import PlanAsset, assign_assets, role_fits_kind
from domain.rules.durations import (
    clean_job_duration,
    clean_scene_count,
    default_scene_count,
    split_duration,
    to_ms,
    total_seconds,
)
from domain.rules.planner import (
    OUTLINES,
    Brief,
    Plan,
    PlanRequest,
    clean_brief,
    mood_of,
    normalize_plan,
    plan_offline,
    shorten,
)

CAPTION = "It's 50% off: now, [today]; C:\\path"


def exact_sum(values: list[float]) -> Decimal:
    return sum((Decimal(repr(v)) for v in values), Decimal(0))


def request(**kw: object) -> PlanRequest:
    base = PlanRequest(
        brief=Brief(
            product="Aurora running shoes",
            audience="city runners",
            tone="energetic",
            call_to_action=CAPTION,
            prompt="Dawn runs through empty streets. Keep it fast.",
        ),
        duration_seconds=30.0,
        aspect_ratio=AspectRatio.PORTRAIT_9_16,
        brand_colors=("#FF5500",),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


# --- durations -------------------------------------------------------------------------------


def test_split_sums_exactly_for_many_durations_and_counts() -> None:
    rng = random.Random(7)
    totals = [5.0, 7.3, 9.999, 10.001, 29.97, 33.333, 59.94, 119.999, 120.0]
    totals += [round(rng.uniform(5, 120), rng.choice([0, 1, 2, 3])) for _ in range(300)]
    for total in totals:
        for count in range(3, 8):
            weights = [rng.uniform(0.5, 2.0) for _ in range(count)]
            parts = split_duration(total, weights)
            assert len(parts) == count
            assert exact_sum(parts) == Decimal(repr(total)).quantize(Decimal("0.001"))
            assert sum(to_ms(p) for p in parts) == to_ms(total)
            assert all(p >= 0.001 for p in parts)
            assert total_seconds(parts) == round(total, 3)


def test_seven_point_three_seconds_in_seven_scenes() -> None:
    parts = split_duration(7.3, [1] * 7)
    assert parts == [1.043, 1.043, 1.043, 1.043, 1.043, 1.043, 1.042]
    assert exact_sum(parts) == Decimal("7.3")


def test_split_follows_the_weights() -> None:
    assert split_duration(10, [1, 3, 1]) == [2.0, 6.0, 2.0]
    assert split_duration(5, [0.9, 1.2, 0.8]) == [1.552, 2.069, 1.379]


@pytest.mark.parametrize("value", [4.999, 120.001, float("nan"), float("inf"), -5, 0])
def test_job_duration_outside_5_to_120_is_invalid(value: float) -> None:
    with pytest.raises(DomainError) as err:
        clean_job_duration(value)
    assert err.value.code is ErrorCode.INVALID and err.value.field == ["durationSeconds"]


@pytest.mark.parametrize("count", [0, 1, 2, 8, 20, -3])
def test_scene_count_outside_3_to_7_is_invalid(count: int) -> None:
    with pytest.raises(DomainError) as err:
        clean_scene_count(count)
    assert err.value.code is ErrorCode.INVALID and err.value.field == ["sceneCount"]


def test_default_scene_count() -> None:
    assert [default_scene_count(d) for d in (5, 15, 30, 45, 60, 120)] == [3, 3, 5, 7, 7, 7]


# --- the plan --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 4, 5, 6, 7])
@pytest.mark.parametrize("duration", [5.0, 7.3, 30.0, 119.999])
def test_plan_has_the_outline_and_exact_durations(count: int, duration: float) -> None:
    plan = plan_offline(request(scene_count=count, duration_seconds=duration))
    assert [s.beat for s in plan.scenes] == list(OUTLINES[count])
    assert exact_sum(plan.durations) == Decimal(repr(duration))
    assert plan.scenes[0].beat is SceneBeat.HOOK and plan.scenes[-1].beat is SceneBeat.END_CARD
    assert plan.scenes[0].continuity is SceneContinuity.CUT
    assert plan.scenes[0].transition is Transition.CUT
    for scene in plan.scenes:
        assert scene.title and scene.script and scene.caption and scene.prompt
        assert "Aurora running shoes" in scene.prompt or scene.beat is SceneBeat.PROBLEM
        assert "vertical 9:16" in scene.prompt and "#FF5500" in scene.prompt
        if scene.continuity is SceneContinuity.CONTINUE:
            assert scene.transition is Transition.CUT
    assert plan.scenes[-1].caption == CAPTION  # the call to action, exactly as written
    assert plan.scenes[-1].transition is Transition.FADE
    product = next(s for s in plan.scenes if s.beat is SceneBeat.PRODUCT)
    assert product.shot_type is ShotType.PRODUCT


def test_plan_without_a_count_uses_about_six_seconds_a_scene() -> None:
    assert len(plan_offline(request(duration_seconds=30)).scenes) == 5
    assert len(plan_offline(request(duration_seconds=6)).scenes) == 3


def test_continuity_flag_and_uploaded_visuals() -> None:
    on = plan_offline(request(scene_count=5, continuity=True))
    assert [s.continuity.value for s in on.scenes] == [
        "CUT",
        "CONTINUE",
        "CONTINUE",
        "CONTINUE",
        "CUT",
    ]
    off = plan_offline(request(scene_count=5, continuity=False))
    assert {s.continuity for s in off.scenes} == {SceneContinuity.CUT}
    assert [s.transition for s in off.scenes] == [
        Transition.CUT,
        Transition.WIPE_LEFT,
        Transition.SLIDE_UP,
        Transition.ZOOM,
        Transition.FADE,
    ]
    with_product = plan_offline(
        request(scene_count=5, assets=(PlanAsset("p", AssetRole.PRODUCT, AssetKind.IMAGE),))
    )
    # the product scene shows the uploaded shot, so it cuts to it instead of continuing; the
    # hook and the benefit show it again (product shots on screen for most of the ad)
    assert [s.continuity.value for s in with_product.scenes] == [
        "CUT",
        "CONTINUE",
        "CUT",
        "CUT",
        "CUT",
    ]
    assert [s.asset_ids for s in with_product.scenes][:4] == [("p",), (), ("p",), ("p",)]
    assert with_product.scenes[2].transition is not Transition.CUT


def test_assets_are_placed_by_role() -> None:
    assets = (
        PlanAsset("p1", AssetRole.PRODUCT, AssetKind.IMAGE),
        PlanAsset("p2", AssetRole.PRODUCT, AssetKind.IMAGE),
        PlanAsset("p3", AssetRole.PRODUCT, AssetKind.IMAGE),
        PlanAsset("logo", AssetRole.LOGO, AssetKind.IMAGE),
        PlanAsset("face", AssetRole.CHARACTER, AssetKind.IMAGE),
        PlanAsset("bg", AssetRole.BACKGROUND, AssetKind.IMAGE),
        PlanAsset("song", AssetRole.MUSIC, AssetKind.AUDIO),
        PlanAsset("vo", AssetRole.VOICEOVER, AssetKind.AUDIO),
        PlanAsset("loose", None, AssetKind.IMAGE),
    )
    plan = plan_offline(request(scene_count=7, assets=assets))
    placed = {s.beat: s.asset_ids for s in plan.scenes}
    assert placed[SceneBeat.PRODUCT] == ("p1",)
    assert placed[SceneBeat.DETAIL] == ("p2",)
    assert placed[SceneBeat.BENEFIT] == ("p3",)  # an extra product shot spills into the story
    assert placed[SceneBeat.END_CARD] == ("logo",)
    assert placed[SceneBeat.HOOK] == ()  # the character is composited, not in the key image
    assert {s.beat: s.character_asset_id for s in plan.scenes if s.character_asset_id} == {
        b: "face" for b in (SceneBeat.HOOK, SceneBeat.PROBLEM, SceneBeat.BENEFIT, SceneBeat.PROOF)
    }
    assert placed[SceneBeat.PROBLEM] == ("bg",)  # backgrounds go where nothing else is shown
    assert placed[SceneBeat.PROOF] == ("loose",)  # no role: an image is a background
    assert plan.music_asset_id == "song"
    assignment = assign_assets(OUTLINES[3], assets, music_asset_id="chosen")
    assert assignment.music_asset_id == "chosen" and "song" in assignment.unplaced
    assert "vo" in assignment.unplaced and assignment.logo_asset_id == "logo"
    assert assignment.scene_assets[1][:1] == ("p1",)
    video = assign_assets(OUTLINES[3], (PlanAsset("clip", None, AssetKind.VIDEO),))
    assert video.unplaced == () and video.scene_assets == (("clip",), (), ())  # no role: footage
    assert role_fits_kind(AssetRole.PRODUCT, AssetKind.IMAGE)
    assert role_fits_kind(AssetRole.PRODUCT, AssetKind.VIDEO)
    assert not role_fits_kind(AssetRole.LOGO, AssetKind.VIDEO)
    assert not role_fits_kind(AssetRole.FOOTAGE, AssetKind.IMAGE)
    assert not role_fits_kind(AssetRole.LOGO, AssetKind.AUDIO)
    assert not role_fits_kind(AssetRole.MUSIC, AssetKind.IMAGE)
    assert role_fits_kind(AssetRole.REFERENCE, AssetKind.VIDEO) and role_fits_kind(None, None)


def test_plans_are_deterministic_and_mood_follows_tone() -> None:
    assert plan_offline(request()) == plan_offline(request())
    assert mood_of("Luxurious, elegant") == "premium"
    assert mood_of("bold and playful") == "energetic"
    assert mood_of("trustworthy expert") == "serious"
    assert mood_of("") == "calm"
    calm = plan_offline(
        request(brief=Brief(product="Tea", tone="warm"), scene_count=5, continuity=False)
    )
    middle = [s.transition for s in calm.scenes[1:-1]]
    assert set(middle) <= {Transition.DISSOLVE, Transition.WIPE_RIGHT}
    assert all(a is not b for a, b in itertools.pairwise(middle))  # no effect twice in a row
    assert calm.scenes[-1].transition is Transition.FADE  # the only dip to black: the end card
    assert calm.scenes[-1].caption == "Get Tea today"


def test_normalize_keeps_a_providers_plan_within_the_rules() -> None:
    req = request(
        scene_count=4,
        duration_seconds=7.3,
        continuity=False,
        assets=(PlanAsset("p1", AssetRole.PRODUCT, AssetKind.IMAGE),),
    )
    good = plan_offline(req)
    sloppy = Plan(
        tuple(
            replace(
                s, duration_seconds=2.0, continuity=SceneContinuity.CONTINUE, asset_ids=("alien",)
            )
            for s in good.scenes
        ),
        music_asset_id="alien",
    )
    fixed = normalize_plan(req, sloppy)
    assert exact_sum(fixed.durations) == Decimal("7.3")
    assert {s.continuity for s in fixed.scenes} == {SceneContinuity.CUT}
    assert all(s.asset_ids == () for s in fixed.scenes)  # foreign IDs dropped
    assert fixed.music_asset_id is None
    # a plan with the wrong number of scenes is replaced by the offline one
    short = Plan(good.scenes[:2])
    assert normalize_plan(req, short) == plan_offline(req)
    # a plan that placed nothing gets the role placement
    bare = Plan(tuple(replace(s, asset_ids=()) for s in good.scenes))
    assert [s.asset_ids for s in normalize_plan(req, bare).scenes] == [
        s.asset_ids for s in good.scenes
    ]


def test_brief_validation() -> None:
    brief = clean_brief(
        product="  Shoes  ", language="pt-BR", prompt="line one\nline two", call_to_action=CAPTION
    )
    assert brief.product == "Shoes" and brief.language == "pt-BR"
    assert brief.prompt == "line one\nline two" and brief.call_to_action == CAPTION
    assert clean_brief(product="x").language == "en"
    with pytest.raises(ValidationErrors) as err:
        clean_brief(product="", audience="a" * 501, tone="bad\x00", language="??")
    assert [e.field for e in err.value.errors] == [
        ["brief", "audience"],
        ["brief", "tone"],
        ["brief", "product"],
        ["brief", "language"],
    ]
    assert shorten("word " * 40, 20).endswith("…") and len(shorten("word " * 40, 20)) <= 20


def test_builtin_planner_is_the_offline_rules_behind_the_port() -> None:
    planner = planner_for("builtin")
    assert isinstance(planner, OfflinePlanner) and planner.ref == "builtin"
    req = request(scene_count=6)
    assert asyncio.run(planner.plan(req)) == plan_offline(req)
    with pytest.raises(DomainError) as err:
        planner_for("openai:gpt-4o-mini")
    assert err.value.code is ErrorCode.PROVIDER_UNAVAILABLE
