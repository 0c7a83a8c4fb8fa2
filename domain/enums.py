"""Enumerations shared by entities, rules and the GraphQL surface (stored as strings)."""

from __future__ import annotations

from enum import StrEnum


class CampaignStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    ARCHIVED = "ARCHIVED"


class AssetKind(StrEnum):
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    AUDIO = "AUDIO"
    DATA = "DATA"
    FONT = "FONT"


class AssetRole(StrEnum):
    PRODUCT = "PRODUCT"
    LOGO = "LOGO"
    CHARACTER = "CHARACTER"
    BACKGROUND = "BACKGROUND"
    FOOTAGE = "FOOTAGE"
    MUSIC = "MUSIC"
    VOICEOVER = "VOICEOVER"
    REFERENCE = "REFERENCE"
    STORYBOARD = "STORYBOARD"
    FONT = "FONT"
    CLIP = "CLIP"
    LAST_FRAME = "LAST_FRAME"
    RENDER = "RENDER"
    THUMBNAIL = "THUMBNAIL"
    NARRATION = "NARRATION"
    CAPTIONS = "CAPTIONS"
    DATA = "DATA"


class CaptionStyle(StrEnum):
    """How captions are drawn: in a brand box, outlined, over a soft shadow, or boxed with the
    spoken word highlighted in the second brand colour (when word timings exist)."""

    BOX = "BOX"
    OUTLINE = "OUTLINE"
    SHADOW = "SHADOW"
    HIGHLIGHT = "HIGHLIGHT"


class SceneLayout(StrEnum):
    """How a scene is laid out (``domain.rules.layouts``): its picture full bleed, split beside a
    brand panel with its words, its words as a kinetic headline, a quote card, or the product
    beside callouts of the brief's features."""

    FULL = "FULL"
    SPLIT = "SPLIT"
    HEADLINE = "HEADLINE"
    QUOTE = "QUOTE"
    FEATURES = "FEATURES"


class AssetStatus(StrEnum):
    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    PLANNING = "PLANNING"
    STORYBOARD_READY = "STORYBOARD_READY"
    RENDERING = "RENDERING"
    COMPOSING = "COMPOSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


FINAL_JOB_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED})


class JobStage(StrEnum):
    PLAN = "PLAN"
    STORYBOARD = "STORYBOARD"
    CLIPS = "CLIPS"
    COMPOSE = "COMPOSE"
    RENDER = "RENDER"


class JobAction(StrEnum):
    APPROVE_STORYBOARD = "APPROVE_STORYBOARD"
    EDIT_SCENES = "EDIT_SCENES"
    REGENERATE_SCENE = "REGENERATE_SCENE"
    CANCEL = "CANCEL"
    RETRY = "RETRY"
    EXPORT = "EXPORT"


class AspectRatio(StrEnum):
    LANDSCAPE_16_9 = "LANDSCAPE_16_9"
    PORTRAIT_9_16 = "PORTRAIT_9_16"
    SQUARE_1_1 = "SQUARE_1_1"
    VERTICAL_4_5 = "VERTICAL_4_5"


class SceneContinuity(StrEnum):
    CONTINUE = "CONTINUE"
    CUT = "CUT"


class FootageAudio(StrEnum):
    """What happens to the sound of a scene's uploaded footage."""

    MUTE = "MUTE"
    MIX = "MIX"


class SceneStatus(StrEnum):
    PENDING = "PENDING"
    GENERATING_IMAGE = "GENERATING_IMAGE"
    IMAGE_READY = "IMAGE_READY"
    RENDERING = "RENDERING"
    RENDERED = "RENDERED"
    FAILED = "FAILED"


class ShotType(StrEnum):
    WIDE = "WIDE"
    MEDIUM = "MEDIUM"
    CLOSE_UP = "CLOSE_UP"
    EXTREME_CLOSE_UP = "EXTREME_CLOSE_UP"
    OVERHEAD = "OVERHEAD"
    PRODUCT = "PRODUCT"


class Transition(StrEnum):
    CUT = "CUT"
    FADE = "FADE"
    DISSOLVE = "DISSOLVE"
    WIPE_LEFT = "WIPE_LEFT"
    WIPE_RIGHT = "WIPE_RIGHT"
    SLIDE_UP = "SLIDE_UP"
    ZOOM = "ZOOM"


class VideoFormat(StrEnum):
    MP4 = "MP4"
    MOV = "MOV"
    WEBM = "WEBM"


class Resolution(StrEnum):
    P480 = "P480"
    P720 = "P720"
    P1080 = "P1080"
    P2160 = "P2160"


class RenderQuality(StrEnum):
    FAST = "FAST"
    BALANCED = "BALANCED"
    HIGH = "HIGH"


class RenderStatus(StrEnum):
    QUEUED = "QUEUED"
    RENDERING = "RENDERING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


class JobEventType(StrEnum):
    JOB_CREATED = "JOB_CREATED"
    STATUS_CHANGED = "STATUS_CHANGED"
    STAGE_STARTED = "STAGE_STARTED"
    STAGE_COMPLETED = "STAGE_COMPLETED"
    PROGRESS = "PROGRESS"
    SCENE_UPDATED = "SCENE_UPDATED"
    SCENE_FAILED = "SCENE_FAILED"
    STORYBOARD_READY = "STORYBOARD_READY"
    RENDER_UPDATED = "RENDER_UPDATED"
    COST_VARIANCE = "COST_VARIANCE"
    JOB_COMPLETED = "JOB_COMPLETED"
    JOB_FAILED = "JOB_FAILED"
    JOB_CANCELED = "JOB_CANCELED"


class SceneBeat(StrEnum):
    """The part a scene plays in the ad's story (the planner's outline; CUSTOM for added scenes)."""

    HOOK = "HOOK"
    PROBLEM = "PROBLEM"
    PRODUCT = "PRODUCT"
    DETAIL = "DETAIL"
    BENEFIT = "BENEFIT"
    PROOF = "PROOF"
    END_CARD = "END_CARD"
    CUSTOM = "CUSTOM"


class WebhookEventType(StrEnum):
    """What a webhook endpoint can subscribe to; the value is the payload's ``type``."""

    JOB_STATUS_CHANGED = "job.status_changed"
    JOB_STORYBOARD_READY = "job.storyboard_ready"
    SCENE_FAILED = "job.scene_failed"
    RENDER_COMPLETED = "job.render_completed"
    RENDER_FAILED = "job.render_failed"
    COST_VARIANCE = "job.cost_variance"
    BUDGET_STOP = "job.budget_stop"
    ASSET_READY = "asset.ready"
    ASSET_FAILED = "asset.failed"
    ENDPOINT_DISABLED = "webhook.endpoint_disabled"
    #: Sent by ``pingWebhookEndpoint`` only (never subscribed to).
    PING = "webhook.ping"


class WebhookDeliveryStatus(StrEnum):
    """A delivery is PENDING until a 2xx answer (DELIVERED) or its last attempt (FAILED)."""

    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
