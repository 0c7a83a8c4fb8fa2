"""What an edit makes stale: scene key images, scene clips, and the composition.

Each scene's outputs depend on a few inputs. A key image depends on the scene's prompt, shot
type, assets and how many times it was refined. A clip depends on its image, its duration, its
continuity (a CONTINUE clip starts on the previous clip's last frame, so it depends on that clip
too), and on the transition into the next scene (the outgoing clip carries the frames the
transition blends). The composition depends on every clip, caption, script, transition and the
order of the scenes, and what each scene says. A scene cut from uploaded footage has its key image and clip taken from the
footage at its in-point, so they depend on the footage and the in-point instead of being
generated; the footage's sound (muted or mixed) only changes the composition. Comparing these inputs before and after an edit says exactly which outputs
must be made again; everything else is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.enums import SceneContinuity, ShotType, Transition


@dataclass(frozen=True, slots=True)
class SceneInputs:
    """What rendering one scene depends on (``id`` is any stable key)."""

    id: str
    prompt: str
    shot_type: ShotType
    asset_ids: tuple[str, ...]
    duration_ms: int
    continuity: SceneContinuity
    transition: Transition
    script: str = ""
    caption: str = ""
    narration: str | None = None
    refinements: int = 0
    footage: str | None = None
    trim_ms: int | None = None
    footage_audio: str = "MUTE"
    character: str | None = None  # composited over (or sent with) the clip
    #: the key image is drawn with the character (hosted image and clip models)
    character_in_image: bool = False


@dataclass(frozen=True, slots=True)
class Stale:
    """The outputs an edit made stale."""

    images: frozenset[str] = field(default_factory=frozenset)
    clips: frozenset[str] = field(default_factory=frozenset)
    composition: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.images or self.clips or self.composition)


def image_key(scene: SceneInputs) -> tuple[Any, ...]:
    return (
        scene.prompt,
        scene.shot_type,
        scene.asset_ids,
        scene.refinements,
        scene.footage,
        scene.trim_ms,
        scene.character if scene.character_in_image else None,
    )


def clip_keys(scenes: Sequence[SceneInputs]) -> list[tuple[Any, ...]]:
    """One key per scene (in order) that changes whenever the scene's clip must be re-rendered."""
    keys: list[tuple[Any, ...]] = []
    for index, scene in enumerate(scenes):
        continues = index > 0 and scene.continuity is SceneContinuity.CONTINUE
        following = scenes[index + 1] if index + 1 < len(scenes) else None
        tail = (
            (following.transition, following.duration_ms)
            if following is not None and following.transition is not Transition.CUT
            else None
        )
        keys.append(
            (
                image_key(scene),
                scene.duration_ms,
                continues,
                keys[index - 1] if continues else None,
                tail,
                scene.character,
            )
        )
    return keys


def composition_key(scenes: Sequence[SceneInputs]) -> tuple[Any, ...]:
    """A key that changes whenever the composed ad would differ."""
    return tuple(
        (
            s.id,
            key,
            s.script,
            s.narration,
            s.caption,
            s.transition if i > 0 else Transition.CUT,
            s.footage_audio if s.footage else None,
        )
        for i, (s, key) in enumerate(zip(scenes, clip_keys(scenes), strict=True))
    )


def stale_after(before: Sequence[SceneInputs], after: Sequence[SceneInputs]) -> Stale:
    """What changing the scenes from ``before`` to ``after`` (both in order) makes stale.

    New scenes need everything; a changed image input needs a new image and clip; a changed clip
    input (duration, continuity, the previous clip of a CONTINUE scene, the transition into the
    next scene) needs a new clip; any visible change needs a new composition.
    """
    old_images = {s.id: image_key(s) for s in before}
    old_clips = dict(zip((s.id for s in before), clip_keys(before), strict=True))
    images: set[str] = set()
    clips: set[str] = set()
    for scene, key in zip(after, clip_keys(after), strict=True):
        if scene.id not in old_images or old_images[scene.id] != image_key(scene):
            images.add(scene.id)
            clips.add(scene.id)
        elif old_clips[scene.id] != key:
            clips.add(scene.id)
    return Stale(
        frozenset(images), frozenset(clips), composition_key(before) != composition_key(after)
    )


__all__ = ["SceneInputs", "Stale", "clip_keys", "composition_key", "image_key", "stale_after"]
