"""A job's character: the brand's person or mascot, the same in every scene the planner gives it.

Pure rules. The job's character is its first CHARACTER image asset. The planner marks the scenes
it appears in (``ScenePlan.character_asset_id``); the built-in planner gives it the story beats
(hook, problem, benefit, proof), a hosted planner marks scenes itself (else the same rule).
A scene with the character, and the scene right after one, are CUT: a clip that continues a
frame would otherwise carry a composited character into a scene that has none (or twice).
When both the key image and the clip come from hosted models, the key image is drawn with the
character as its subject reference (the clip model animates it); with the built-in clip the
character is composited over the clip, so the key image leaves it out, and an all built-in key
image of a product shot places the product clear of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from domain.enums import AssetKind, AssetRole, SceneBeat, SceneContinuity, Transition
from domain.errors import Invalid
from domain.rules.asset_roles import PEOPLE_BEATS, PlanAsset
from domain.rules.pricing import BUILTIN

if TYPE_CHECKING:
    from domain.rules.planner import ScenePlan


def job_character(assets: Sequence[PlanAsset]) -> str | None:
    """The ID of the job's character: its first CHARACTER image (``None`` when it has none)."""
    return next(
        (a.id for a in assets if a.role is AssetRole.CHARACTER and a.kind is AssetKind.IMAGE),
        None,
    )


def character_in_key_image(
    image_ref: str, video_ref: str, source_role: AssetRole | None = None
) -> bool:
    """Whether a scene's key image request carries the character: as the subject reference of
    a hosted image model drawing for a hosted clip model (the built-in clip composites the
    character, which would show it twice), or, all built in, for a product shot
    (``source_role``) that is placed clear of where the clip composites the character. Only the
    first makes a character edit draw the key image again (a built-in product shot keeps the
    place it was given)."""
    if image_ref != BUILTIN:
        return video_ref != BUILTIN
    return video_ref == BUILTIN and source_role is AssetRole.PRODUCT


def character_beats(beats: Sequence[SceneBeat]) -> list[bool]:
    """Which scenes show the character by default: the story beats, else every scene that is
    neither the end card nor a product shot (at least the first scene)."""
    marks = [b in PEOPLE_BEATS for b in beats]
    if not any(marks):
        marks = [b not in (SceneBeat.END_CARD, SceneBeat.PRODUCT) for b in beats]
    if not any(marks) and beats:
        marks[0] = True
    return marks


def continuity_with_characters(
    continuity: Sequence[SceneContinuity], characters: Sequence[str | None]
) -> list[SceneContinuity]:
    """``continuity`` with every scene that has a character, or follows one that has, a CUT."""
    result = list(continuity)
    for index in range(len(result)):
        near = characters[index] or (index > 0 and characters[index - 1])
        if near:
            result[index] = SceneContinuity.CUT
    return result


def character_cannot_continue(position: int, field: str = "continuity") -> Invalid:
    """The ``INVALID`` error of a CONTINUE into a scene at ``position`` that shows a character."""
    return Invalid(
        f"scene {position + 1} shows a character and cannot CONTINUE the previous shot "
        "(the character is placed over its own clip): make it a CUT",
        [field],
    )


def character_cannot_be_continued(position: int, field: str = "continuity") -> Invalid:
    """The ``INVALID`` error of a CONTINUE at ``position`` out of a scene that shows a character."""
    return Invalid(
        f"scene {position + 1} cannot CONTINUE the shot of scene {position}, which shows a "
        "character (it is placed over that scene's clip only): make scene "
        f"{position + 1} a CUT",
        [field],
    )


def continue_near_character(
    continuity: Sequence[SceneContinuity],
    characters: Sequence[str | None],
    field: str = "continuity",
) -> Invalid | None:
    """``INVALID`` naming the first scene that would CONTINUE into or out of a scene showing a
    character (the render would cut there), else ``None``."""
    for index, kind in enumerate(continuity):
        if index == 0 or kind is not SceneContinuity.CONTINUE:
            continue
        if characters[index]:
            return character_cannot_continue(index, field)
        if characters[index - 1]:
            return character_cannot_be_continued(index, field)
    return None


def mark_characters(
    assets: Sequence[PlanAsset], scenes: Sequence[ScenePlan], marks: Sequence[bool] | None = None
) -> tuple[ScenePlan, ...]:
    """``scenes`` with the job's character on the marked ones (``marks``, else the scenes
    already marked, else :func:`character_beats`): the character leaves the scenes' asset lists
    (it is composited, not drawn into the key image) and the continuity rule is kept."""
    character = job_character(assets)
    if character is None:
        return tuple(replace(s, character_asset_id=None) for s in scenes)
    chosen = list(marks) if marks is not None else [bool(s.character_asset_id) for s in scenes]
    if not any(chosen):
        chosen = character_beats([s.beat for s in scenes])
    ids = [character if mark else None for mark in chosen]
    continuity = continuity_with_characters([s.continuity for s in scenes], ids)
    out = []
    for index, scene in enumerate(scenes):
        cut = continuity[index] is not scene.continuity
        out.append(
            replace(
                scene,
                character_asset_id=ids[index],
                asset_ids=tuple(a for a in scene.asset_ids if a != character),
                continuity=continuity[index],
                transition=Transition.DISSOLVE if cut else scene.transition,
            )
        )
    return tuple(out)


__all__ = [
    "character_beats",
    "character_cannot_be_continued",
    "character_cannot_continue",
    "character_in_key_image",
    "continue_near_character",
    "continuity_with_characters",
    "job_character",
    "mark_characters",
]
