"""The fields of a scene edit (``updateScene``/``addScene``): what was sent, checked and set."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AssetKind, AssetRole, SceneContinuity, Transition
from domain.errors import DomainError, Invalid, ValidationErrors
from domain.media.fonts import require_glyphs
from domain.models import Asset, Campaign, Job, Scene
from domain.rules.characters import character_cannot_continue
from domain.rules.durations import clean_scene_duration
from domain.rules.footage import clean_trim_start, footage_cannot_continue, require_trim_within
from domain.services.jobs.inputs import collect_errors, footage_of, load_assets

CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # line breaks (\n) are allowed

#: Text limits of scene fields (characters).
SCENE_TEXT_LIMITS = {
    "title": 200,
    "description": 2000,
    "script": 1000,
    "narration": 1000,
    "caption": 200,
    "prompt": 4000,
}

MAX_SCENE_ASSETS = 10

_CAMEL = {
    "duration_seconds": "durationSeconds",
    "shot_type": "shotType",
    "asset_ids": "assetIds",
    "footage_audio": "footageAudio",
    "character_asset_id": "characterAssetId",
}


def _camel(name: str) -> str:
    return _CAMEL.get(name, name)


def clean_scene_text(name: str, value: str | None) -> str:
    """A scene text field: trimmed, within its limit, no control characters but line breaks.

    Captions are kept exactly as written (punctuation, ``%``, ``:``, brackets, backslashes):
    they reach the renderer as plain text.
    """
    text = (value or "").strip()
    limit = SCENE_TEXT_LIMITS[name]
    if len(text) > limit:
        raise Invalid(f"{name} must be at most {limit} characters", [name])
    if CONTROL_CHARACTERS.search(text):
        raise Invalid(f"{name} must not contain control characters", [name])
    if name == "caption":  # shown on screen: every character must have a glyph
        for error in require_glyphs([(text, [name])]):
            raise error
    return text


@dataclass(frozen=True)
class SceneFields:
    """Fields of ``updateScene``/``addScene``; only the names in ``given`` were sent."""

    values: Mapping[str, Any]

    def given(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str) -> Any:
        return self.values.get(name)


async def _set_character(
    session: AsyncSession,
    job: Job,
    value: uuid.UUID | None,
    updates: dict[str, Any],
    errors: list[DomainError],
) -> None:
    """``characterAssetId``: a READY CHARACTER image of the job's client, or null (none)."""
    if value is None:
        updates["character_asset_id"] = None
        return
    campaign = await session.get(Campaign, job.campaign_id)
    assert campaign is not None
    try:
        (asset,) = await load_assets(
            session, job.organization_id, campaign.client_id, [value], "characterAssetId"
        )
    except ValidationErrors as exc:
        errors.extend(exc.errors)
        return
    if asset.role is not AssetRole.CHARACTER or asset.kind is not AssetKind.IMAGE:
        errors.append(
            Invalid("characterAssetId must be an image asset with the role CHARACTER",
                    ["characterAssetId"])
        )  # fmt: skip
        return
    updates["character_asset_id"] = asset.id


async def set_fields(
    session: AsyncSession, job: Job, scene: Scene, fields: SceneFields
) -> list[DomainError]:
    """Validate and set scene fields; returns the errors (nothing is set when there are any)."""
    errors: list[DomainError] = []
    updates: dict[str, Any] = {}
    for name in SCENE_TEXT_LIMITS:
        if fields.given(name) and name != "narration":
            value = collect_errors(errors, clean_scene_text, name, fields.get(name))
            if value is not None:
                updates[name] = value
    if fields.given("narration"):  # null: the scene says its script again
        raw = fields.get("narration")
        if raw is None:
            updates["narration"] = None
        else:
            value = collect_errors(errors, clean_scene_text, "narration", raw)
            if value is not None:
                updates["narration"] = value
    if fields.given("duration_seconds"):
        raw = fields.get("duration_seconds")
        if raw is None:
            errors.append(Invalid("durationSeconds cannot be null", ["durationSeconds"]))
        else:
            value = collect_errors(errors, clean_scene_duration, float(raw))
            if value is not None:
                updates["duration_seconds"] = value
    if fields.given("trim_start_seconds"):
        raw = fields.get("trim_start_seconds")
        value = collect_errors(errors, clean_trim_start, None if raw is None else float(raw))
        if raw is None or value is not None:
            updates["trim_start_seconds"] = value
    for name in ("shot_type", "transition", "continuity", "footage_audio"):
        if fields.given(name):
            if fields.get(name) is None:
                errors.append(Invalid(f"{_camel(name)} cannot be null", [_camel(name)]))
            else:
                updates[name] = fields.get(name)
    if fields.given("asset_ids"):
        ids = list(fields.get("asset_ids") or [])
        if len(ids) > MAX_SCENE_ASSETS:
            errors.append(Invalid(f"at most {MAX_SCENE_ASSETS} assets per scene", ["assetIds"]))
        else:
            campaign = await session.get(Campaign, job.campaign_id)
            assert campaign is not None
            try:
                assets = await load_assets(
                    session,
                    job.organization_id,
                    campaign.client_id,
                    ids,
                    "assetIds",
                    visual_only=True,
                )
                updates["asset_ids"] = [str(a.id) for a in assets]
                videos = [a for a in assets if a.kind is AssetKind.VIDEO]
                if len(videos) > 1:
                    errors.append(Invalid("a scene takes at most one video asset", ["assetIds"]))
                footage = footage_of(assets)
                updates["footage_asset_id"] = footage.id if footage else None
            except ValidationErrors as exc:
                errors.extend(exc.errors)
    if fields.given("character_asset_id"):
        await _set_character(session, job, fields.get("character_asset_id"), updates, errors)
    continuity = updates.get("continuity", scene.continuity)
    transition = updates.get("transition", scene.transition)
    character = updates.get("character_asset_id", scene.character_asset_id)
    if character is not None and continuity is SceneContinuity.CONTINUE:
        if "continuity" in updates:
            errors.append(character_cannot_continue(scene.position))
        else:
            updates["continuity"] = continuity = SceneContinuity.CUT
    footage_id = updates.get("footage_asset_id", scene.footage_asset_id)
    if footage_id != scene.footage_asset_id and "trim_start_seconds" not in updates:
        updates["trim_start_seconds"] = None  # new footage: a steady in-point is picked again
    trim = updates.get("trim_start_seconds", scene.trim_start_seconds)
    if footage_id is not None:
        if continuity is SceneContinuity.CONTINUE:
            errors.append(footage_cannot_continue(scene.position))
        if trim is not None:
            footage = await session.get(Asset, footage_id)
            duration = footage.duration_seconds if footage is not None else None
            collect_errors(errors, require_trim_within, trim, duration, "trimStartSeconds")
    elif "trim_start_seconds" in updates and updates["trim_start_seconds"] is not None:
        errors.append(Invalid("the scene shows no uploaded footage to trim", ["trimStartSeconds"]))
    if continuity is SceneContinuity.CONTINUE and footage_id is None:
        if scene.position == 0:
            errors.append(
                Invalid("the first scene has no previous shot to continue", ["continuity"])
            )
        if "transition" in updates and transition is not Transition.CUT:
            errors.append(
                Invalid(
                    "a scene that continues the previous shot is entered with a CUT",
                    ["transition"],
                )
            )
        elif "continuity" in updates:
            updates["transition"] = Transition.CUT
    if errors:
        return errors
    for name, value in updates.items():
        setattr(scene, name, value)
    return []


__all__ = [
    "CONTROL_CHARACTERS",
    "MAX_SCENE_ASSETS",
    "SCENE_TEXT_LIMITS",
    "SceneFields",
    "clean_scene_text",
    "set_fields",
]
