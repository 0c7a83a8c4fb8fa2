"""Inputs of the job, scene and export mutations."""

from __future__ import annotations

import strawberry

from schema.enums import (
    AspectRatio,
    CaptionStyle,
    FootageAudio,
    RenderQuality,
    Resolution,
    SceneContinuity,
    ShotType,
    Transition,
    VideoFormat,
)


@strawberry.input
class BriefInput:
    product: str
    audience: str | None = None
    tone: str | None = None
    call_to_action: str | None = None
    language: str | None = strawberry.field(default=None, description="A tag like en or pt-BR.")
    prompt: str | None = strawberry.field(default=None, description="Creative direction.")
    voice: str | None = strawberry.field(
        default=None,
        description="The voice id the narration is spoken in (see `voices`); "
        "empty: the voice provider's default.",
    )
    caption_style: CaptionStyle | None = strawberry.field(
        default=None,
        description="How captions are drawn: BOX (default), OUTLINE, SHADOW, or HIGHLIGHT (the "
        "box, with each spoken word highlighted in the second brand colour as it is said).",
    )
    features: list[str] | None = strawberry.field(
        default=None,
        description="The product's features, at most 5 lines of at most 60 characters each: "
        "the benefit scene calls out 2 to 4 of them beside the product (the FEATURES layout).",
    )


@strawberry.input(description="Provider references; `builtin` (the default) renders offline.")
class ProviderChoiceInput:
    planner: str | None = None
    image: str | None = None
    video: str | None = None
    voice: str | None = None


@strawberry.input
class CreateJobInput:
    campaign_id: strawberry.ID
    brief: BriefInput
    duration_seconds: float = strawberry.field(description="5 to 120 seconds.")
    aspect_ratio: AspectRatio
    scene_count: int | None = strawberry.field(default=None, description="3 to 7 scenes.")
    continuity: bool | None = strawberry.field(
        default=None, description="Scenes continue each other's shot (default true)."
    )
    asset_ids: list[strawberry.ID] | None = None
    auto_approve: bool | None = strawberry.field(
        default=None, description="Render without waiting for storyboard approval."
    )
    budget_usd: float | None = None
    providers: ProviderChoiceInput | None = None
    captions: bool | None = None
    music: strawberry.ID | None = strawberry.field(default=None, description="An audio asset.")
    voiceover: bool | None = None


@strawberry.input
class ApproveStoryboardInput:
    job_id: strawberry.ID


@strawberry.input
class UpdateSceneInput:
    scene_id: strawberry.ID
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    script: str | None = strawberry.UNSET
    narration: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='What the scene says, when not its script ("": nothing; null: the script '
        "again). Checked against the ad's time; only this scene is spoken again.",
    )
    caption: str | None = strawberry.UNSET
    prompt: str | None = strawberry.UNSET
    duration_seconds: float | None = strawberry.UNSET
    shot_type: ShotType | None = strawberry.UNSET
    transition: Transition | None = strawberry.UNSET
    continuity: SceneContinuity | None = strawberry.UNSET
    asset_ids: list[strawberry.ID] | None = strawberry.UNSET
    trim_start_seconds: float | None = strawberry.field(
        default=strawberry.UNSET,
        description="In-point of the scene's footage (null: a steady moment is picked).",
    )
    footage_audio: FootageAudio | None = strawberry.field(
        default=strawberry.UNSET, description="The footage's own sound: MUTE (default) or MIX."
    )
    character_asset_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The CHARACTER image (a brand asset of the job's client) shown in the "
        "scene, the same in every scene it is in; null: none.",
    )


@strawberry.input
class AddSceneInput:
    job_id: strawberry.ID
    position: int | None = strawberry.field(
        default=None, description="0-based; default: before the end card."
    )
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    script: str | None = strawberry.UNSET
    narration: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='What the scene says, when not its script ("": nothing; null: the script '
        "again). Checked against the ad's time; only this scene is spoken again.",
    )
    caption: str | None = strawberry.UNSET
    prompt: str | None = strawberry.UNSET
    duration_seconds: float | None = strawberry.UNSET
    shot_type: ShotType | None = strawberry.UNSET
    transition: Transition | None = strawberry.UNSET
    continuity: SceneContinuity | None = strawberry.UNSET
    asset_ids: list[strawberry.ID] | None = strawberry.UNSET
    trim_start_seconds: float | None = strawberry.field(
        default=strawberry.UNSET,
        description="In-point of the scene's footage (null: a steady moment is picked).",
    )
    footage_audio: FootageAudio | None = strawberry.field(
        default=strawberry.UNSET, description="The footage's own sound: MUTE (default) or MIX."
    )
    character_asset_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The CHARACTER image (a brand asset of the job's client) shown in the "
        "scene, the same in every scene it is in; null: none.",
    )


@strawberry.input
class DeleteSceneInput:
    scene_id: strawberry.ID


@strawberry.input
class ReorderScenesInput:
    job_id: strawberry.ID
    scene_ids: list[strawberry.ID] = strawberry.field(
        description="Every scene of the job exactly once, in the new order."
    )


@strawberry.input
class RegenerateSceneInput:
    scene_id: strawberry.ID
    feedback: str | None = None


@strawberry.input(description="An uploaded video as a scene's clip instead of a generated one.")
class ReplaceSceneClipInput:
    scene_id: strawberry.ID
    asset_id: strawberry.ID = strawberry.field(description="A READY video asset of the client.")
    trim_start_seconds: float | None = strawberry.field(
        default=None, description="In-point in the video (null: a steady moment is picked)."
    )


@strawberry.input
class CancelJobInput:
    job_id: strawberry.ID


@strawberry.input
class RetryJobInput:
    job_id: strawberry.ID


@strawberry.input
class ExportJobInput:
    job_id: strawberry.ID
    format: VideoFormat = VideoFormat.MP4
    resolution: Resolution = Resolution.P1080
    aspect_ratio: AspectRatio | None = strawberry.field(
        default=None, description="Default: the job's aspect ratio."
    )
    quality: RenderQuality = RenderQuality.BALANCED
    captions: bool | None = strawberry.field(
        default=None,
        description="Burn the captions in (true) or not (false). Default: as the job.",
    )


__all__ = [
    "AddSceneInput",
    "ApproveStoryboardInput",
    "BriefInput",
    "CancelJobInput",
    "CreateJobInput",
    "DeleteSceneInput",
    "ExportJobInput",
    "ProviderChoiceInput",
    "RegenerateSceneInput",
    "ReorderScenesInput",
    "ReplaceSceneClipInput",
    "RetryJobInput",
    "UpdateSceneInput",
]
