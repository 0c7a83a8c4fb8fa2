"""GraphQL enums: the domain's own enum classes, registered with Strawberry once.

``strawberry.enum`` marks a class in place and returns it, so each name below is the domain
class itself: annotations use it as a real type, and values cross the boundary unconverted.
Import the enums from here (not from ``domain.enums``) in GraphQL code, so the registration has
run before a schema is built.
"""

from __future__ import annotations

import strawberry

from domain.enums import (
    AspectRatio,
    AssetKind,
    AssetRole,
    AssetStatus,
    CampaignStatus,
    CaptionStyle,
    FootageAudio,
    JobAction,
    JobEventType,
    JobStage,
    JobStatus,
    RenderQuality,
    RenderStatus,
    Resolution,
    SceneBeat,
    SceneContinuity,
    SceneStatus,
    ShotType,
    Transition,
    VideoFormat,
    WebhookDeliveryStatus,
    WebhookEventType,
)

for _enum in (
    CampaignStatus,
    AssetKind,
    AssetRole,
    AssetStatus,
    JobStatus,
    JobStage,
    JobAction,
    AspectRatio,
    SceneStatus,
    ShotType,
    Transition,
    VideoFormat,
    Resolution,
    RenderQuality,
    RenderStatus,
    JobEventType,
):
    strawberry.enum(_enum)
strawberry.enum(
    SceneContinuity, description="CONTINUE: first frame = previous clip's exact last frame."
)
strawberry.enum(
    CaptionStyle,
    description="How captions are drawn, in the brand colours at 4.5:1 or more: in a box, "
    "outlined, over a soft shadow, or boxed with the spoken word highlighted.",
)
strawberry.enum(SceneBeat, description="The part a scene plays in the ad (CUSTOM: added by hand).")
strawberry.enum(
    WebhookEventType,
    description="What a webhook endpoint subscribes to; the payload's `type` is the value "
    "(e.g. job.status_changed). PING is only sent by pingWebhookEndpoint.",
)
strawberry.enum(WebhookDeliveryStatus, description="PENDING until a 2xx answer or the last try.")
strawberry.enum(
    FootageAudio,
    description="The sound of a scene's uploaded footage: MUTE, or MIX under the narration.",
)

__all__ = [
    "AspectRatio",
    "AssetKind",
    "AssetRole",
    "AssetStatus",
    "CampaignStatus",
    "CaptionStyle",
    "FootageAudio",
    "JobAction",
    "JobEventType",
    "JobStage",
    "JobStatus",
    "RenderQuality",
    "RenderStatus",
    "Resolution",
    "SceneBeat",
    "SceneContinuity",
    "SceneStatus",
    "ShotType",
    "Transition",
    "VideoFormat",
    "WebhookDeliveryStatus",
    "WebhookEventType",
]
