"""Designed layouts: which scene gets which, where a split screen puts the picture in every
aspect, the share of the ad showing a product shot, and the exact filters of a panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.enums import AspectRatio, Resolution, SceneBeat, SceneLayout
from domain.media.compose import ComposeSpec, ScenePanel, compose_args, compose_filtergraph
from domain.media.geometry import Box, frame_size, safe_area
from domain.media.layout_geometry import split_regions
from domain.media.timing import plan_timeline
from domain.media.types import MediaInput, Size
from domain.rules.layouts import choose_layouts, product_share

B = SceneBeat
L = SceneLayout
SEVEN = [B.HOOK, B.PROBLEM, B.PRODUCT, B.DETAIL, B.BENEFIT, B.PROOF, B.END_CARD]


def test_layouts_by_beat_tone_and_assets() -> None:
    words = [True] * 7
    with_products = [True, False, True, True, True, False, False]
    assert choose_layouts(SEVEN, with_products, words, "energetic") == [
        L.SPLIT, L.FULL, L.FULL, L.FULL, L.SPLIT, L.QUOTE, L.FULL,
    ]  # fmt: skip
    bare = [False] * 7
    assert choose_layouts(SEVEN, bare, words, "bold and fun") == [
        L.HEADLINE, L.FULL, L.FULL, L.FULL, L.FULL, L.QUOTE, L.FULL,
    ]  # fmt: skip
    assert choose_layouts(SEVEN, bare, words, "calm")[0] is L.FULL  # a calm hook stays full
    assert choose_layouts(SEVEN, with_products, [False] * 7, "energetic") == [L.FULL] * 7
    # the same designed layout never follows itself
    story = [B.HOOK, B.BENEFIT, B.BENEFIT, B.END_CARD]
    assert choose_layouts(story, [True] * 4, [True] * 4, "") == [L.SPLIT, L.FULL, L.SPLIT, L.FULL]
    # a scene with the character keeps its clip whole (the character is composited over it)
    cast = [False, False, True, False]
    assert choose_layouts(story, [True] * 4, [True] * 4, "", characters=cast)[2] is L.FULL


def test_product_share_counts_scenes_that_show_their_product() -> None:
    layouts = [L.SPLIT, L.FULL, L.FULL, L.QUOTE, L.FULL]
    products = [True, False, True, True, False]
    assert product_share([30, 30, 60, 30, 30], products, layouts) == pytest.approx(0.5)
    assert product_share([30, 30], [False, False], [L.FULL, L.FULL]) == 0.0


@pytest.mark.parametrize("aspect", list(AspectRatio))
def test_split_screen_in_every_aspect(aspect: AspectRatio) -> None:
    size = frame_size(Resolution.P1080, aspect)
    media, panel = split_regions(size)
    assert media.width % 2 == 0 and media.height % 2 == 0
    assert media.width * media.height + panel.width * panel.height == size.pixels
    if aspect is AspectRatio.LANDSCAPE_16_9:
        assert (media.x, media.height, panel.x) == (0, size.height, media.width)
        assert 0.5 < media.width / size.width < 0.6
    else:
        assert (media.y, media.width, panel.y) == (0, size.width, media.height)
        assert 0.5 <= media.height / size.height < 0.6
    # the panel keeps room for words inside the safe area
    safe = safe_area(size)
    assert min(panel.bottom, safe.bottom) - max(panel.y, safe.y) > size.height * 0.2


def test_a_split_panel_in_the_graph(tmp_path: Path) -> None:
    timeline = plan_timeline([1.0, 1.0])
    clips = (MediaInput(tmp_path / "a.mp4", "mp4"), MediaInput(tmp_path / "b.mp4", "mp4"))
    panel = ScenePanel(MediaInput(tmp_path / "p.png", "png_pipe"), Box(0, 0, 176, 180))
    spec = ComposeSpec(clips, timeline, Size(320, 180), tmp_path / "f.ttf", tmp_path / "o.mp4",
                       panels=(None, panel))  # fmt: skip
    graph = compose_filtergraph(spec)
    assert (
        "[1:v]fps=30,scale=176:180:force_original_aspect_ratio=increase:flags=lanczos,"
        "crop=176:180,setsar=1,pad=320:180:0:0,format=yuv420p,tpad=stop_mode=clone:stop=30,"
        "trim=end_frame=30,setpts=PTS-STARTPTS,settb=1/30[c1m];"
        "[2:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,"
        "loop=loop=-1:size=1:start=0,trim=end_frame=30,settb=1/30[o1];"
        "[c1m][o1]overlay=0:0:eof_action=pass,format=yuv420p[c1]"
    ) in graph
    assert "[0:v]fps=30,scale=320:180:force_original_aspect_ratio=increase" in graph
    args = compose_args(spec)
    inputs = [args[i + 1] for i, a in enumerate(args) if a == "-i"]
    assert [Path(i.removeprefix("file:")).name for i in inputs] == ["a.mp4", "b.mp4", "p.png"]


def test_exports_to_a_far_shape_split_every_product_scene() -> None:
    from domain.services.pipeline.layouts import reshaped

    assert reshaped(AspectRatio.PORTRAIT_9_16, AspectRatio.LANDSCAPE_16_9)
    assert reshaped(AspectRatio.LANDSCAPE_16_9, AspectRatio.PORTRAIT_9_16)
    assert not reshaped(AspectRatio.PORTRAIT_9_16, AspectRatio.VERTICAL_4_5)
    assert not reshaped(AspectRatio.SQUARE_1_1, AspectRatio.VERTICAL_4_5)
    products = [True, False, True, True, True, False, False]
    assert choose_layouts(SEVEN, products, [True] * 7, "calm", reshaped=True) == [
        L.SPLIT, L.FULL, L.SPLIT, L.SPLIT, L.SPLIT, L.QUOTE, L.FULL,
    ]  # fmt: skip
