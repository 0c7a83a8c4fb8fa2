"""A scene row as the inputs its outputs depend on (see ``domain.rules.invalidation``)."""

from __future__ import annotations

from domain.enums import FootageAudio
from domain.models import Scene
from domain.rules.durations import to_ms
from domain.rules.invalidation import SceneInputs


def scene_inputs(scene: Scene) -> SceneInputs:
    """What the scene's outputs depend on, for ``domain.rules.invalidation``."""
    return SceneInputs(
        id=str(scene.id),
        prompt=scene.prompt,
        shot_type=scene.shot_type,
        asset_ids=tuple(scene.asset_ids),
        duration_ms=to_ms(scene.duration_seconds),
        continuity=scene.continuity,
        transition=scene.transition,
        script=scene.script,
        caption=scene.caption,
        narration=scene.narration,
        refinements=scene.refinements,
        footage=str(scene.footage_asset_id) if scene.footage_asset_id else None,
        trim_ms=to_ms(scene.trim_start_seconds) if scene.trim_start_seconds is not None else None,
        footage_audio=(scene.footage_audio or FootageAudio.MUTE).value,
        character=str(scene.character_asset_id) if scene.character_asset_id else None,
    )


__all__ = ["scene_inputs"]
