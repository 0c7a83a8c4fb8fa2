"""Kinetic captions: the pictures a caption needs, how each moves, and their exact filters."""

from __future__ import annotations

from pathlib import Path

from domain.enums import CaptionStyle
from domain.media.caption_ink import caption_ink
from domain.media.compose import ComposeSpec, TextPicture, compose_filtergraph
from domain.media.contrast import MIN_CONTRAST, over, ratio
from domain.media.kinetic import Motion, Segment, motions, overlay_y, picture_chain, segments
from domain.media.timing import plan_timeline
from domain.media.types import MediaInput, Size


def test_one_picture_per_spoken_word_tiling_the_caption() -> None:
    words = [(10, 14), (15, 22), (22, 30)]
    assert segments(10, 30, words, highlight=True) == (
        Segment(0, 10, 15), Segment(1, 15, 22), Segment(2, 22, 30),
    )  # fmt: skip
    assert segments(10, 30, words, highlight=False) == (Segment(None, 10, 30),)
    assert segments(10, 30, [], highlight=True) == (Segment(None, 10, 30),)
    # a word spoken before the caption starts still begins it; one after it ends gets no frames
    assert segments(10, 20, [(5, 12), (12, 18), (25, 30)], highlight=True) == (
        Segment(0, 10, 12), Segment(1, 12, 19), Segment(2, 19, 20),
    )  # fmt: skip


def test_phrases_rise_in_and_fade_out_unless_joined() -> None:
    parts = segments(30, 90, [(30, 50), (50, 70), (70, 90)], highlight=True)
    alone = motions(parts, 30, 40, follows=False, followed=False)
    assert alone[0] == Motion(fade_in=0.2, fade_out=0.0, rise=14, lead=2)
    assert alone[1] == Motion()
    assert alone[2] == Motion(fade_out=0.15)
    joined = motions(parts, 30, 40, follows=True, followed=True)
    assert joined == (Motion(), Motion(), Motion())
    short = motions((Segment(None, 0, 6),), 30, 40, follows=False, followed=False)
    assert short == (Motion(fade_in=0.1, fade_out=1 / 15, rise=14, lead=2),)


def test_picture_chain_and_overlay_expression() -> None:
    motion = Motion(fade_in=0.2, fade_out=0.15, rise=14, lead=2)
    assert picture_chain(3, 30, 90, 30, motion, "p0") == (
        "[3:v]loop=loop=-1:size=1:start=0,trim=end_frame=62,settb=1/30,"
        "fade=t=in:st=0:d=0.2:alpha=1,fade=t=out:st=1.916667:d=0.15:alpha=1,"
        "trim=start_frame=2,setpts=PTS-STARTPTS+30[p0]"
    )
    assert picture_chain(3, 30, 90, 30, Motion(), "p0") == (
        "[3:v]loop=loop=-1:size=1:start=0,trim=end_frame=60,settb=1/30,setpts=PTS-STARTPTS+30[p0]"
    )
    assert overlay_y(100, 30, 30, motion) == ("100+14*pow(1-clip((t-1+0.066667)/0.2\\,0\\,1)\\,2)")
    assert overlay_y(100, 30, 30, Motion()) == "100"


def test_pictures_enter_the_graph_with_their_motion(tmp_path: Path) -> None:
    timeline = plan_timeline([2.0])
    clip = MediaInput(tmp_path / "a.mp4", "mp4")
    picture = TextPicture(
        MediaInput(tmp_path / "c.png", "png_pipe"), x=10, y=100, start=1.0, end=2.0,
        motion=Motion(fade_in=0.2, rise=14, lead=2),
    )  # fmt: skip
    spec = ComposeSpec((clip,), timeline, Size(320, 180), tmp_path / "f.ttf", tmp_path / "o.mp4",
                       pictures=(picture,))  # fmt: skip
    graph = compose_filtergraph(spec)
    assert "[1:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,loop=" in graph
    assert "overlay=x=10:y=100+14*pow(1-clip((t-1+0.066667)/0.2\\,0\\,1)\\,2)" in graph


def test_every_style_keeps_contrast_in_the_brand_colours() -> None:
    palettes = [((255, 221, 0), (255, 255, 255)), ((20, 20, 20), (0, 0, 0)),
                ((0, 160, 255), (255, 80, 0)), ((111, 78, 55), (200, 200, 190))]  # fmt: skip
    for palette in palettes:
        for style in CaptionStyle:
            ink = caption_ink(style, palette)
            for behind in ((255, 255, 255), (0, 0, 0)):
                ground = over(ink.ground, ink.ground_opacity, behind)
                assert ratio(ink.text, ground) >= MIN_CONTRAST, (palette, style, behind)
            assert ratio(ink.accent_text, ink.accent) >= MIN_CONTRAST, (palette, style)
