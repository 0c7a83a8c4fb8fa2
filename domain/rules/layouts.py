"""Designed scene layouts, chosen per beat, brief tone and the assets at hand, and the share of
the ad that shows a product shot.

- ``FULL``: the scene's picture fills the frame (a product photo full bleed, with motion).
- ``SPLIT``: the picture in one part of the frame (left on landscape, top on the others), a
  brand panel with the scene's words as a headline in the rest.
- ``HEADLINE``: the scene's words set large in the middle of the frame, line after line rising
  in (an energetic hook without a product).
- ``QUOTE``: a quote card over the dimmed scene (the proof beat).
- ``FEATURES``: the picture beside a brand panel calling out the brief's features (2 to 4),
  one after another, each with a numbered marker (the benefit beat of a brief with features).

Pure rules; the geometry per aspect is in ``domain.media.layout_geometry``.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.enums import SceneBeat
from domain.enums import SceneLayout as Layout
from domain.rules.brief import CALLOUTS
from domain.rules.planner_copy import ENERGETIC, mood_of

#: Layouts that show the scene's picture whole enough to count as a product shot.
SHOWS_PICTURE = frozenset({Layout.FULL, Layout.SPLIT, Layout.FEATURES})

_STORY = frozenset({SceneBeat.HOOK, SceneBeat.PROBLEM, SceneBeat.BENEFIT, SceneBeat.CUSTOM})


def choose_layouts(
    beats: Sequence[SceneBeat],
    products: Sequence[bool],
    captions: Sequence[bool],
    tone: str,
    *,
    reshaped: bool = False,
    characters: Sequence[bool] | None = None,
    features: int = 0,
) -> list[Layout]:
    """The layout of each scene: product scenes full bleed, story scenes with a product split
    (the product beside their words), the proof a quote (split when it has a product), an
    energetic hook without a product a kinetic headline; a scene without words stays full, and
    no designed layout follows itself. ``reshaped`` (an export to a shape far from the clips'
    own): every scene with a product and words is split, so the picture keeps most of itself.
    A scene showing the job's character (``characters``) stays full: the character is
    composited over its clip, which only the full layout shows whole. With ``features`` (how
    many the brief lists, at least :data:`CALLOUTS`'s least) the first benefit scene calls them
    out beside its picture."""
    energetic = mood_of(tone) == ENERGETIC
    out: list[Layout] = []
    cast = list(characters) if characters is not None else [False] * len(beats)
    for beat, product, caption, character in zip(beats, products, captions, cast, strict=True):
        layout = Layout.FULL
        if not caption or beat is SceneBeat.END_CARD or character:
            layout = Layout.FULL
        elif beat is SceneBeat.BENEFIT and features >= CALLOUTS[0] and Layout.FEATURES not in out:
            layout = Layout.FEATURES
        elif reshaped and product:
            layout = Layout.SPLIT
        elif beat in (SceneBeat.PRODUCT, SceneBeat.DETAIL):
            layout = Layout.FULL
        elif beat is SceneBeat.PROOF:
            layout = Layout.SPLIT if product else Layout.QUOTE
        elif beat in _STORY and product:
            layout = Layout.SPLIT
        elif beat is SceneBeat.HOOK and energetic:
            layout = Layout.HEADLINE
        if out and layout is not Layout.FULL and out[-1] is layout and not reshaped:
            layout = Layout.FULL
        out.append(layout)
    return out


def product_share(
    frames: Sequence[int], products: Sequence[bool], layouts: Sequence[Layout]
) -> float:
    """The share of the ad's frames showing a product shot: the scenes with a product picture in
    a layout that shows it (``frames``: each scene's own frames, transitions split between the
    two scenes as the timeline does)."""
    total = sum(frames)
    if total <= 0:
        return 0.0
    shown = sum(
        count
        for count, product, layout in zip(frames, products, layouts, strict=True)
        if product and layout in SHOWS_PICTURE
    )
    return shown / total


__all__ = ["CALLOUTS", "SHOWS_PICTURE", "Layout", "choose_layouts", "product_share"]
