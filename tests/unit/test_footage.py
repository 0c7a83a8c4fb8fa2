"""Footage rules and builders: exact argv, the steady in-point, placement, pricing, invalidation."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.enums import AspectRatio, AssetKind, AssetRole, SceneBeat, SceneContinuity, ShotType
from domain.enums import Transition as T
from domain.errors import ErrorCode, Invalid
from domain.media import audio
from domain.media.footage import (
    TONE_MAP,
    FootageSpec,
    footage_args,
    footage_still_args,
    is_hdr,
    parse_frame_stats,
    steady_args,
)
from domain.media.inputs import mp4
from domain.media.types import MediaInput, Size
from domain.rules.asset_roles import PlanAsset, assign_assets
from domain.rules.footage import (
    FrameStat,
    clean_trim_start,
    continue_into_footage,
    held_seconds,
    in_point,
    require_trim_within,
    steady_start,
)
from domain.rules.invalidation import SceneInputs, stale_after
from domain.rules.planner import OUTLINES, Brief, Plan, PlanRequest, normalize_plan, plan_offline
from domain.rules.pricing import DEFAULT_PRICES, ProviderChoice, ProviderKind, SceneWork
from domain.rules.pricing import estimate_job as price_job

SOURCE = MediaInput(Path("/in/f.mov"), "mov")
HEAD = ["-protocol_whitelist", "file,pipe", "-f", "mov", "-max_pixels", "16777216"]
COVER = "scale=180:320:force_original_aspect_ratio=increase:flags=lanczos,crop=180:320:"


def test_footage_clip_argv_is_exact() -> None:
    spec = FootageSpec(
        SOURCE, Path("/out/c.mp4"), Size(180, 320), 30, 45, 2.5, True, True, (0.5, 0.25)
    )
    assert footage_args(spec) == [
        *HEAD, "-ss", "2.5", "-i", "file:/in/f.mov",
        "-filter_complex",
        f"[0:v]{TONE_MAP},fps=30,{COVER}(iw-ow)*0.5:(ih-oh)*0.25,setsar=1,"
        "tpad=stop_mode=clone:stop=45,trim=end_frame=45,setpts=PTS-STARTPTS,"
        "scale=out_color_matrix=bt709:out_range=tv:flags=area,format=yuv420p[v];"
        "[0:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,"
        "atrim=duration=1.5,asetpts=PTS-STARTPTS[a]",
        "-map", "[v]", "-map", "[a]", "-frames:v", "45", "-r", "30",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709",
        "-color_trc", "bt709", "-force_key_frames", "expr:eq(n,36)",
        "-forced-idr", "1", "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4", "file:/out/c.mp4",
    ]  # fmt: skip
    silent = FootageSpec(SOURCE, Path("/out/c.mp4"), Size(180, 320), 30, 30, has_audio=False)
    args = footage_args(silent)
    assert "-ss" not in args  # from the very start: no seek
    graph = args[args.index("-filter_complex") + 1]
    assert graph.startswith("[0:v]fps=30,")  # SDR: no tone mapping
    assert graph.endswith("[v];anullsrc=r=48000:cl=stereo,atrim=duration=1[a]")
    with pytest.raises(ValueError):
        FootageSpec(SOURCE, Path("/o.mp4"), Size(2, 2), 30, 0)
    with pytest.raises(ValueError):
        FootageSpec(SOURCE, Path("/o.mp4"), Size(2, 2), 30, 1, focus=(1.5, 0.5))


def test_footage_still_and_measurement_argv_are_exact() -> None:
    assert footage_still_args(
        SOURCE, Path("/out/s.png"), size=Size(180, 320), start_seconds=1.25
    ) == [
        *HEAD, "-ss", "1.25", "-i", "file:/in/f.mov", "-map", "0:v:0",
        "-vf", f"{COVER}(iw-ow)*0.5:(ih-oh)*0.5,setsar=1,"
        "scale=flags=neighbor+accurate_rnd+full_chroma_int,format=rgb24",
        "-frames:v", "1", "-c:v", "png", "-pix_fmt", "rgb24", "-f", "image2", "-update", "1",
        "file:/out/s.png",
    ]  # fmt: skip
    assert steady_args(SOURCE, Path("/w/a b:c.txt"), seconds=4) == [
        *HEAD, "-t", "4", "-i", "file:/in/f.mov",
        "-filter_complex",
        "[0:v]scale=160:-2:flags=area,signalstats,metadata=mode=print:file=/w/a\\\\\\ b\\\\:c.txt",
        "-an", "-f", "null", "-",
    ]  # fmt: skip
    assert is_hdr("smpte2084") and is_hdr("arib-std-b67") and not is_hdr("bt709")
    assert not is_hdr(None)


def test_frame_stats_are_parsed() -> None:
    text = (
        "frame:0    pts:0       pts_time:0\n"
        "lavfi.signalstats.YAVG=16.5\nlavfi.signalstats.YDIF=0\n"
        "frame:1    pts:512     pts_time:0.04\n"
        "lavfi.signalstats.YAVG=40\nlavfi.signalstats.UAVG=128\nlavfi.signalstats.YDIF=23.5\n"
        "frame:2    pts:1024    pts_time:0.08\n"  # no values: skipped
    )
    assert parse_frame_stats(text) == [(0.0, 16.5, 0.0), (0.04, 40.0, 23.5)]


def _fade(fade_frames: int, total: int, fps: float = 25.0) -> list[FrameStat]:
    out = []
    for n in range(total):
        level = 16 + 100 * min(1.0, n / fade_frames) if fade_frames else 116
        change = 100 / fade_frames if fade_frames and 0 < n <= fade_frames else 1.0
        out.append(FrameStat(n / fps, level, change))
    return out


def test_steady_start_skips_a_fade_in() -> None:
    assert steady_start(_fade(0, 100), fps=25) == 0.0  # steady from the start
    start = steady_start(_fade(25, 100), fps=25)  # a one-second fade from black
    assert 1.0 <= start <= 1.1
    assert steady_start(_fade(25, 3), fps=25) == 0.0  # too little measured
    flicker = [FrameStat(n / 25, 116, 50.0 if n < 10 else 1.0) for n in range(100)]
    assert steady_start(flicker, fps=25) == pytest.approx(0.4)  # a flashing start is skipped


def test_in_points_and_holds() -> None:
    assert in_point(2.0, 0.5, 10.0, 3.0) == 2.0  # the scene's own in-point wins
    assert in_point(None, 1.0, 10.0, 3.0) == 1.0  # the steady moment
    assert in_point(None, 1.0, 3.5, 3.0) == 0.5  # moved earlier so the footage lasts the scene
    assert in_point(None, 1.0, 2.0, 3.0) == 0.0  # never before the start
    assert in_point(None, 1.0, None, 3.0) == 1.0
    assert held_seconds(0.0, 2.0, 3.0) == 1.0  # footage shorter than the scene holds
    assert held_seconds(1.0, 10.0, 3.0) == 0.0 and held_seconds(0.0, None, 3.0) == 0.0
    assert clean_trim_start(None) is None and clean_trim_start(1.23456) == 1.235
    for bad in (-1.0, float("nan"), float("inf"), 4000.0):
        with pytest.raises(Invalid):
            clean_trim_start(bad)
    require_trim_within(1.0, 2.0, "trimStartSeconds")
    with pytest.raises(Invalid) as past:
        require_trim_within(2.0, 2.0, "trimStartSeconds")
    assert past.value.field == ["trimStartSeconds"]


def test_continue_into_footage_is_refused_naming_the_scene() -> None:
    cont, cut = SceneContinuity.CONTINUE, SceneContinuity.CUT
    assert continue_into_footage([cut, cont, cont], [True, False, False]) is None  # after: fine
    error = continue_into_footage([cut, cut, cont], [False, False, True])
    assert error is not None and error.code is ErrorCode.INVALID
    assert error.message.startswith("scene 3 ") and error.field == ["continuity"]


def test_videos_are_placed_one_per_scene() -> None:
    beats = OUTLINES[5]  # hook, problem, product, benefit, end card
    assets = (
        PlanAsset("pv1", AssetRole.PRODUCT, AssetKind.VIDEO),
        PlanAsset("pv2", AssetRole.PRODUCT, AssetKind.VIDEO),
        PlanAsset("face", AssetRole.CHARACTER, AssetKind.VIDEO),
        PlanAsset("loose", None, AssetKind.VIDEO),
        PlanAsset("logo", AssetRole.LOGO, AssetKind.IMAGE),
    )
    placed = dict(zip(beats, assign_assets(beats, assets).scene_assets, strict=True))
    assert placed[SceneBeat.PRODUCT] == ("pv1",)
    assert placed[SceneBeat.BENEFIT] == ("pv2",)  # the second product video spills over
    assert placed[SceneBeat.HOOK] == ("face",)
    assert placed[SceneBeat.PROBLEM] == ("loose",)  # footage goes where nothing is shown
    assert placed[SceneBeat.END_CARD] == ("logo",)
    crowded = assign_assets(
        OUTLINES[3], tuple(PlanAsset(f"v{i}", None, AssetKind.VIDEO) for i in range(4))
    )
    assert crowded.unplaced == ("v3",)
    assert all(len(ids) == 1 for ids in crowded.scene_assets)


def test_the_planner_never_continues_into_footage() -> None:
    request = PlanRequest(
        brief=Brief("Shoes"),
        duration_seconds=10,
        aspect_ratio=AspectRatio.PORTRAIT_9_16,
        scene_count=3,
        assets=(PlanAsset("clip", AssetRole.PRODUCT, AssetKind.VIDEO),),
    )
    plan = plan_offline(request)
    assert plan.scenes[1].asset_ids == ("clip",)
    assert plan.scenes[1].continuity is SceneContinuity.CUT
    hosted = Plan(
        tuple(
            s.__class__(
                **{
                    **{f: getattr(s, f) for f in s.__slots__},
                    "continuity": SceneContinuity.CONTINUE,
                }
            )
            for s in plan.scenes
        )
    )
    fixed = normalize_plan(request, hosted)
    assert [s.continuity for s in fixed.scenes] == [
        SceneContinuity.CUT,
        SceneContinuity.CUT,  # the footage scene
        SceneContinuity.CONTINUE,  # a scene after footage may continue from its last frame
    ]


def test_footage_scenes_drop_the_generation_lines() -> None:
    choice = ProviderChoice(
        image="replicate:black-forest-labs/flux-schnell", video="replicate:kwaivgi/kling-v2.1"
    )
    estimate = price_job(
        DEFAULT_PRICES, choice, [SceneWork(3.0), SceneWork(3.0, footage=True)], voiceover=False
    )
    kinds = {(line.scene, line.kind) for line in estimate.lines}
    assert (0, ProviderKind.VIDEO) in kinds and (0, ProviderKind.IMAGE) in kinds
    assert (1, ProviderKind.VIDEO) not in kinds and (1, ProviderKind.IMAGE) not in kinds
    assert estimate.scene_usd[0] > 0 and estimate.scene_usd[1] == 0


def _scene(sid: str, **changes: object) -> SceneInputs:
    base = SceneInputs(sid, "p", ShotType.WIDE, (), 3000, SceneContinuity.CUT, T.CUT)
    return SceneInputs(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})  # type: ignore[arg-type]


def test_footage_edits_make_only_what_they_change_stale() -> None:
    before = [_scene("a"), _scene("b", footage="v", asset_ids=("v",)), _scene("c")]
    trimmed = [before[0], _scene("b", footage="v", asset_ids=("v",), trim_ms=1500), before[2]]
    stale = stale_after(before, trimmed)
    assert stale.images == {"b"} and stale.clips == {"b"} and stale.composition
    mixed = [before[0], _scene("b", footage="v", asset_ids=("v",), footage_audio="MIX"), before[2]]
    stale = stale_after(before, mixed)
    assert not stale.images and not stale.clips and stale.composition
    follows = [*before[:2], _scene("c", continuity=SceneContinuity.CONTINUE)]
    swapped = [before[0], _scene("b", footage="w", asset_ids=("w",)), follows[2]]
    stale = stale_after(follows, swapped)
    assert stale.clips == {"b", "c"}  # the scene continuing from the footage's last frame too


def test_footage_sound_is_mixed_into_the_bed() -> None:
    sound = audio.FootageSound(mp4(Path("/w/c.mp4")), 2.0, 2.0)
    args = audio.audio_mix_args(audio.AudioMixSpec(6.0, Path("/w/mix.wav"), footage=(sound,)))
    graph = args[args.index("-filter_complex") + 1]
    assert graph == (
        "[0:a]aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,"
        "atrim=duration=2,asetpts=PTS-STARTPTS,afade=t=in:st=0:d=0.05,"
        "afade=t=out:st=1.95:d=0.05,adelay=delays=2000:all=1[f0];"
        "[f0]amix=inputs=1:duration=longest:normalize=0,apad=whole_dur=6,atrim=duration=6[bed];"
        "[bed]anull[mix]"
    )
    music = mp4(Path("/w/m.m4a"))
    voice = audio.VoiceCue(mp4(Path("/w/v.m4a")), 0.5)
    args = audio.audio_mix_args(
        audio.AudioMixSpec(6.0, Path("/w/mix.wav"), music, (voice,), (sound,))
    )
    graph = args[args.index("-filter_complex") + 1]
    assert "[music][f0]amix=inputs=2:duration=longest:normalize=0" in graph
    assert "[bed][vkey]sidechaincompress" in graph  # music and footage duck under the voice
    assert args.count("-i") == 3
