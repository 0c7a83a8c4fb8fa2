"""What a variant of a storyboard must make again, and what that costs.

A variant copies a job's scenes with overrides. Its scenes are compared with the source's by
position through ``invalidation``: a scene whose image inputs are unchanged keeps its key image,
one whose clip inputs are unchanged (including the chain of CONTINUE scenes before it) keeps its
clip and last frame. Another aspect ratio changes the working size of every image and clip, so
nothing is kept. Only what is made again is priced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.rules.budget import money
from domain.rules.invalidation import SceneInputs, stale_after
from domain.rules.pricing import PriceTable, ProviderChoice, ProviderKind, SceneWork, scene_lines


@dataclass(frozen=True, slots=True)
class Reuse:
    """Per scene (by position): whether its key image and its clip can be kept."""

    images: tuple[bool, ...]
    clips: tuple[bool, ...]


def reusable(
    before: Sequence[SceneInputs], after: Sequence[SceneInputs], *, same_size: bool
) -> Reuse:
    """Which outputs of ``before`` (the source's scenes) serve ``after`` (the variant's), both in
    order and with ``id`` set to the position. A clip is kept only with its image."""
    if not same_size or len(before) != len(after):
        return Reuse((False,) * len(after), (False,) * len(after))
    stale = stale_after(before, after)
    images = tuple(s.id not in stale.images for s in after)
    clips = tuple(kept and s.id not in stale.clips for s, kept in zip(after, images, strict=True))
    return Reuse(images, clips)


def changed_cost(
    table: PriceTable,
    choice: ProviderChoice,
    work: SceneWork,
    *,
    image: bool,
    clip: bool,
    voice: bool,
) -> Decimal:
    """What a scene of a variant costs: only the image, clip and voice made again."""
    kinds = {
        ProviderKind.IMAGE: image,
        ProviderKind.VIDEO: clip,
        ProviderKind.VOICE: voice,
    }
    lines = scene_lines(table, choice, work, voiceover=voice)
    return money(sum((line.usd for line in lines if kinds[line.kind]), Decimal(0)))


__all__ = ["Reuse", "changed_cost", "reusable"]
