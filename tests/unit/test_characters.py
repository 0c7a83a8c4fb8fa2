"""The job's character: which scenes show it, the same one in each, and the continuity rule."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from domain.enums import (
    AspectRatio,
    AssetKind,
    AssetRole,
    SceneBeat,
    SceneContinuity,
    Transition,
)
from domain.media.character import character_box, composite_filtergraph
from domain.media.clip import ClipSpec
from domain.media.types import MediaInput, Size
from domain.rules.asset_roles import PlanAsset
from domain.rules.characters import (
    character_beats,
    character_in_key_image,
    continue_near_character,
    continuity_with_characters,
    job_character,
    mark_characters,
)
from domain.rules.planner import Brief, Plan, PlanRequest, normalize_plan, plan_offline

FACE = PlanAsset("face", AssetRole.CHARACTER, AssetKind.IMAGE)
SHOE = PlanAsset("shoe", AssetRole.PRODUCT, AssetKind.IMAGE)


def request(count: int, *assets: PlanAsset, continuity: bool = True) -> PlanRequest:
    return PlanRequest(
        brief=Brief(product="Aurora shoes"),
        duration_seconds=3.0 * count,
        aspect_ratio=AspectRatio.PORTRAIT_9_16,
        scene_count=count,
        continuity=continuity,
        assets=assets,
    )


def test_the_job_character_is_its_first_character_image() -> None:
    video = PlanAsset("clip", AssetRole.CHARACTER, AssetKind.VIDEO)
    other = PlanAsset("other", AssetRole.CHARACTER, AssetKind.IMAGE)
    assert job_character([SHOE, video, FACE, other]) == "face"
    assert job_character([SHOE]) is None


def test_the_built_in_planner_puts_the_same_character_in_every_story_scene() -> None:
    for count in range(3, 8):
        plan = plan_offline(request(count, SHOE, FACE))
        marks = [s.character_asset_id for s in plan.scenes]
        assert set(marks) <= {"face", None} and "face" in marks
        for scene in plan.scenes:
            assert "face" not in scene.asset_ids
            if scene.beat in (SceneBeat.PRODUCT, SceneBeat.END_CARD, SceneBeat.DETAIL):
                assert scene.character_asset_id is None
        # a scene with the character, or right after one, never continues a frame
        for index, scene in enumerate(plan.scenes):
            if marks[index] or (index and marks[index - 1]):
                assert scene.continuity is SceneContinuity.CUT


def test_without_a_character_no_scene_is_marked() -> None:
    plan = plan_offline(request(5, SHOE))
    assert all(s.character_asset_id is None for s in plan.scenes)


def test_a_hosted_plan_keeps_its_own_marks_else_the_story_beats() -> None:
    base = plan_offline(request(5, FACE))
    marked = Plan(
        tuple(replace(s, character_asset_id="face" if i == 2 else None)
              for i, s in enumerate(base.scenes))
    )  # fmt: skip
    kept = normalize_plan(request(5, FACE), marked)
    assert [s.character_asset_id for s in kept.scenes] == [None, None, "face", None, None]
    unmarked = Plan(tuple(replace(s, character_asset_id=None) for s in base.scenes))
    again = normalize_plan(request(5, FACE), unmarked)
    assert [bool(s.character_asset_id) for s in again.scenes] == character_beats(
        [s.beat for s in base.scenes]
    )


def test_marks_follow_the_beats_and_the_continuity_rule() -> None:
    assert character_beats([SceneBeat.HOOK, SceneBeat.PRODUCT, SceneBeat.END_CARD]) == [
        True,
        False,
        False,
    ]
    assert character_beats([SceneBeat.PRODUCT, SceneBeat.DETAIL, SceneBeat.END_CARD]) == [
        False,
        True,
        False,
    ]
    go = SceneContinuity.CONTINUE
    assert continuity_with_characters(
        [SceneContinuity.CUT, go, go, go], [None, "a", None, None]
    ) == [
        SceneContinuity.CUT,
        SceneContinuity.CUT,
        SceneContinuity.CUT,
        go,
    ]
    scenes = mark_characters([FACE], plan_offline(request(4, FACE)).scenes, [False] * 4)
    assert [s.character_asset_id for s in scenes] == ["face", None, "face", None]


def test_the_character_box_is_the_same_for_an_aspect_and_inside_the_frame() -> None:
    for frame in (Size(1080, 1920), Size(1920, 1080), Size(1080, 1080), Size(1080, 1350)):
        cut = character_box(frame, Size(400, 900), cutout=True)
        assert cut == character_box(frame, Size(800, 1800), cutout=True)  # scale-free
        assert cut.bottom == frame.height and 0 < cut.x and cut.right < frame.width
        assert cut.width <= frame.width * 0.5 + 1
        photo = character_box(frame, Size(3000, 2000), cutout=False)
        assert photo == character_box(frame, Size(500, 500), cutout=False)
        assert photo.right <= frame.width and photo.bottom <= frame.height and photo.x > 0


def test_the_overlay_is_appended_to_the_clip_graph() -> None:
    from domain.media.character import CharacterPlacement

    spec = ClipSpec(MediaInput(Path("k.png"), "png_pipe"), Path("o.mp4"), Size(270, 480), 30)
    box = character_box(Size(270, 480), Size(200, 500), cutout=True)
    graph = composite_filtergraph(spec, CharacterPlacement(box, True))
    assert graph.endswith(
        f"[base][who]overlay=x={box.x}:y={box.y}:format=yuv420:eof_action=repeat,format=yuv420p[v]"
    )
    assert "[1:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[who]" in graph
    assert graph.count("[v]") == 1


def test_a_continue_next_to_a_character_is_named() -> None:
    go, cut = SceneContinuity.CONTINUE, SceneContinuity.CUT
    assert continue_near_character([cut, go, cut], [None, None, "a"]) is None
    into = continue_near_character([cut, cut, go], [None, None, "a"])
    assert into is not None and into.message.startswith("scene 3 shows a character")
    out = continue_near_character([cut, go, go], ["a", None, None], "sceneIds")
    assert out is not None and out.field == ["sceneIds"]
    assert out.message.startswith("scene 2 cannot CONTINUE the shot of scene 1, which shows")


def test_no_plan_continues_into_or_out_of_a_character() -> None:
    """Whatever a hosted planner asks (CONTINUE everywhere, any marks), the plan has none."""
    for count in range(3, 8):
        for continuity in (True, False):
            req = request(count, SHOE, FACE, continuity=continuity)
            base = plan_offline(req)
            plans = [base]
            for marked in range(count):
                asked = Plan(tuple(
                    replace(s, continuity=SceneContinuity.CONTINUE, transition=Transition.CUT,
                            character_asset_id="face" if i == marked else None)
                    for i, s in enumerate(base.scenes)
                ))  # fmt: skip
                plans.append(normalize_plan(req, asked))
            for plan in plans:
                marks = [s.character_asset_id for s in plan.scenes]
                assert any(marks)
                assert continue_near_character([s.continuity for s in plan.scenes], marks) is None


def test_the_character_stays_clear_of_the_logo_bug() -> None:
    from domain.media.geometry import safe_area
    from domain.media.logo_size import BUG_HEIGHT

    for frame in (Size(1080, 1920), Size(1920, 1080), Size(1080, 1080), Size(1080, 1350)):
        logo_bottom = safe_area(frame).y + round(min(frame.width, frame.height) * BUG_HEIGHT)
        photo = character_box(frame, Size(480, 640), cutout=False)
        assert photo.y > logo_bottom and photo.bottom <= safe_area(frame).bottom
        cut = character_box(frame, Size(300, 600), cutout=True)
        assert cut.y > logo_bottom


def test_the_key_image_is_drawn_with_the_character_only_for_hosted_images_and_clips() -> None:
    hosted_image, hosted_clip = "replicate:acme/gen4", "minimax:S2V-01"
    assert character_in_key_image(hosted_image, hosted_clip)
    assert not character_in_key_image(hosted_image, "builtin")  # composited: not twice
    assert not character_in_key_image("builtin", hosted_clip)
    assert not character_in_key_image("builtin", "builtin")
    # all built in: a product shot is laid out clear of the character composited over it
    assert character_in_key_image("builtin", "builtin", AssetRole.PRODUCT)
    assert not character_in_key_image("builtin", "builtin", AssetRole.BACKGROUND)
    assert not character_in_key_image(hosted_image, "builtin", AssetRole.PRODUCT)
