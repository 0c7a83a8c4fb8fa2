"""Which scenes an export to another aspect makes again (built-in chains far from the stored
clips' shape), and the box each scene's clip fills in a frame."""

from __future__ import annotations

from domain.media.layout_geometry import kept_share, picture_size
from domain.media.types import Size
from domain.services.pipeline.aspect_clips import SceneShape, remade_chains

LANDSCAPE, PORTRAIT, SQUARE, VERTICAL = (
    Size(854, 480),
    Size(480, 854),
    Size(480, 480),
    Size(480, 600),
)


def shape(box: Size, *, generated: bool = True, continues: bool = False) -> SceneShape:
    return SceneShape(generated=generated, box=box, continues=continues)


def test_a_clip_keeps_a_share_of_itself_in_another_box() -> None:
    assert round(kept_share(LANDSCAPE, PORTRAIT), 2) == 0.32
    assert kept_share(SQUARE, VERTICAL) == 0.8
    assert kept_share(PORTRAIT, PORTRAIT) == 1.0
    assert picture_size(PORTRAIT, False) == PORTRAIT
    assert picture_size(PORTRAIT, True) == Size(480, 470)  # a split screen's picture on top


def test_built_in_scenes_far_from_the_stored_shape_are_made_again() -> None:
    scenes = [shape(PORTRAIT), shape(PORTRAIT, continues=True), shape(PORTRAIT)]
    assert remade_chains(LANDSCAPE, scenes, builtin=True) == [[0, 1], [2]]
    assert remade_chains(LANDSCAPE, scenes, builtin=False) == []  # hosted: paid, kept cropped
    near = [shape(VERTICAL)] * 2
    assert remade_chains(SQUARE, near, builtin=True) == []  # a cover keeps 80%: cropped
    # a split screen's picture side close to the stored shape keeps the stored clip
    split = picture_size(SQUARE, True)
    assert remade_chains(LANDSCAPE, [shape(split), shape(PORTRAIT)], builtin=True) == [[1]]


def test_a_chain_is_made_again_whole_or_not_at_all() -> None:
    footage = [shape(PORTRAIT), shape(PORTRAIT, generated=False, continues=True), shape(PORTRAIT)]
    assert remade_chains(LANDSCAPE, footage, builtin=True) == [[2]]
    mixed = [shape(PORTRAIT), shape(Size(480, 470), continues=True)]
    assert remade_chains(LANDSCAPE, mixed, builtin=True) == []  # one start frame, one size
