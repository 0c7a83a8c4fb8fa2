"""A scene row as the inputs its outputs depend on (see ``domain.rules.invalidation``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.enums import FootageAudio
from domain.models import Scene
from domain.rules.characters import character_in_key_image
from domain.rules.durations import to_ms
from domain.rules.invalidation import SceneInputs
from domain.rules.pricing import ProviderChoice, ProviderKind


def scene_inputs(scene: Scene, providers: Mapping[str, Any] | None = None) -> SceneInputs:
    """What the scene's outputs depend on, for ``domain.rules.invalidation`` (``providers``:
    the job's provider choice, which says whether key images are drawn with the character)."""
    choice = ProviderChoice.from_dict(providers)
    drawn = character_in_key_image(choice.ref(ProviderKind.IMAGE), choice.ref(ProviderKind.VIDEO))
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
        character_in_image=drawn,
    )


__all__ = ["scene_inputs"]
