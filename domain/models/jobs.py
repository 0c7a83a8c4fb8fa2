"""Jobs, their scenes, renders and the append-only event log."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.enums import (
    AspectRatio,
    FootageAudio,
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
)
from domain.models.base import Base, Entity, UTCDateTime, str_enum, utcnow

MONEY = Numeric(14, 4)


class StageErrorMixin:
    """Columns of a machine-readable stage failure."""

    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_stage: Mapped[JobStage | None] = mapped_column(str_enum(JobStage), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_retryable: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    def clear_error(self) -> None:
        """Forget the last failure (the work is being done again, or was done)."""
        self.error_code = self.error_stage = self.error_message = None
        self.error_retryable = False


class Job(StageErrorMixin, Entity):
    """One ad being made from a brief: the unit the pipeline moves through its stages."""

    __tablename__ = "jobs"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus), default=JobStatus.QUEUED, index=True, nullable=False
    )
    stage: Mapped[JobStage | None] = mapped_column(str_enum(JobStage), nullable=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    brief: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    duration_seconds: Mapped[float] = mapped_column(Float, nullable=False)
    aspect_ratio: Mapped[AspectRatio] = mapped_column(str_enum(AspectRatio), nullable=False)
    continuity: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    scene_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    captions: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    voiceover: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    music_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    asset_ids: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    providers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    warnings: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'"), nullable=False
    )  # what the ad could not do as asked (a logo too small to enlarge, ...)
    budget_usd: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    estimated_cost_usd: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), nullable=False)
    actual_cost_usd: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), nullable=False)
    refinements_used: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    refinements_limit: Mapped[int] = mapped_column(Integer, default=5, nullable=False)
    last_event_seq: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # lease held while a stage runs; a sweeper re-queues stages whose lease expired
    lease_owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # when a stage waiting out a retry back-off may run again (the sweeper leaves it alone until then)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the composed master the renders are made from (cleared when a scene changes)
    composition_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # the share of the composition's frames showing a product shot (set and cleared with it)
    product_screen_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    # when the current storyboard was approved (None: the job waits at STORYBOARD_READY)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # jobs made together: a variant of another job's storyboard, or one row of a template batch
    variant_group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, nullable=True)
    batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, nullable=True)
    batch_row: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Scene(StageErrorMixin, Entity):
    """One scene of a job's storyboard, with its key image, clip and last frame."""

    __tablename__ = "scenes"
    __table_args__ = (Index("ix_scenes_job_id_position", "job_id", "position"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), index=True, nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    beat: Mapped[SceneBeat | None] = mapped_column(str_enum(SceneBeat), nullable=True)
    title: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    script: Mapped[str] = mapped_column(Text, default="", nullable=False)
    caption: Mapped[str] = mapped_column(Text, default="", nullable=False)
    prompt: Mapped[str] = mapped_column(Text, default="", nullable=False)
    shot_type: Mapped[ShotType] = mapped_column(str_enum(ShotType), nullable=False)
    transition: Mapped[Transition] = mapped_column(str_enum(Transition), nullable=False)
    duration_seconds: Mapped[float] = mapped_column(Float, nullable=False)
    continuity: Mapped[SceneContinuity] = mapped_column(str_enum(SceneContinuity), nullable=False)
    status: Mapped[SceneStatus] = mapped_column(
        str_enum(SceneStatus), default=SceneStatus.PENDING, nullable=False
    )
    asset_ids: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    image_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    clip_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    last_frame_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # uploaded footage the clip is cut from instead of generated (one of ``asset_ids``), its
    # in-point (None: a steady stretch is picked) and what happens to its sound
    footage_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    trim_start_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    footage_audio: Mapped[FootageAudio] = mapped_column(
        str_enum(FootageAudio), default=FootageAudio.MUTE, nullable=False
    )
    #: the job's character (a CHARACTER image) when it appears in this scene: composited over
    #: the built-in clip, sent as the subject or reference image to hosted video models
    character_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: what the scene says when it is not its script (None: the script; "": nothing)
    narration: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the scene's spoken line (a WAV asset) and when each word is spoken in it
    narration_asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    narration_words: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    refinements: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    feedback: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    estimated_cost_usd: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), nullable=False)
    actual_cost_usd: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), nullable=False)


class Render(StageErrorMixin, Entity):
    """One export of a job's composition in a format, resolution and aspect ratio."""

    __tablename__ = "renders"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), index=True, nullable=False
    )
    format: Mapped[VideoFormat] = mapped_column(str_enum(VideoFormat), nullable=False)
    resolution: Mapped[Resolution] = mapped_column(str_enum(Resolution), nullable=False)
    aspect_ratio: Mapped[AspectRatio] = mapped_column(str_enum(AspectRatio), nullable=False)
    quality: Mapped[RenderQuality] = mapped_column(
        str_enum(RenderQuality), default=RenderQuality.BALANCED, nullable=False
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    #: Burned-in captions on or off; None: as the job (its composition's own).
    captions: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    status: Mapped[RenderStatus] = mapped_column(
        str_enum(RenderStatus), default=RenderStatus.QUEUED, nullable=False
    )
    progress: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @classmethod
    def default_output(cls, job: Job, resolution: Resolution) -> Render:
        """The MP4 every job renders in its own aspect ratio (its ``output``)."""
        return cls(
            organization_id=job.organization_id,
            job_id=job.id,
            format=VideoFormat.MP4,
            resolution=resolution,
            aspect_ratio=job.aspect_ratio,
            quality=RenderQuality.BALANCED,
            is_default=True,
            status=RenderStatus.QUEUED,
        )

    def burns_captions(self, job: Job) -> bool:
        """Whether this render burns captions in (its own setting, else the job's)."""
        return job.captions if self.captions is None else self.captions


class JobEvent(Base):
    """An append-only record of a job's state change, numbered per job from 1."""

    __tablename__ = "job_events"
    __table_args__ = (UniqueConstraint("job_id", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False
    )
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[JobEventType] = mapped_column(str_enum(JobEventType), nullable=False)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus), nullable=False)
    stage: Mapped[JobStage | None] = mapped_column(str_enum(JobStage), nullable=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    message: Mapped[str] = mapped_column(Text, default="", nullable=False)
    scene_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
