"""Storing a job whose storyboard is already known (a variant, a template row).

The job is stored QUEUED at PLAN with its scenes: the PLAN stage finds them and asks no planner;
STORYBOARD and CLIPS skip every scene whose key image or clip is already stored (copied from the
job the storyboard came from), so only what changed is made, and paid for, again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import (
    AspectRatio,
    JobEventType,
    JobStage,
    JobStatus,
    Resolution,
    SceneBeat,
    SceneContinuity,
    SceneStatus,
    ShotType,
    Transition,
)
from domain.models import Job, Render, Scene
from domain.models.base import utcnow
from domain.rules.durations import total_seconds
from domain.services.events import record_job_event
from domain.services.stage_queue import request_stage


@dataclass
class SceneDraft:
    """One scene of a storyboard to store, with the outputs it reuses (if any)."""

    beat: SceneBeat | None
    title: str
    description: str
    script: str
    caption: str
    prompt: str
    shot_type: ShotType
    transition: Transition
    duration_seconds: float
    continuity: SceneContinuity
    asset_ids: list[str] = field(default_factory=list)
    character_asset_id: str | None = None
    image_asset_id: uuid.UUID | None = None
    clip_asset_id: uuid.UUID | None = None
    last_frame_asset_id: uuid.UUID | None = None
    refinements: int = 0
    feedback: list[str] = field(default_factory=list)
    estimated_cost_usd: Decimal = Decimal(0)
    narration: str | None = None  # what the scene says when not its script

    @classmethod
    def of(cls, scene: Scene) -> SceneDraft:
        """A copy of a stored scene's storyboard fields (no outputs)."""
        return cls(
            beat=scene.beat,
            title=scene.title,
            description=scene.description,
            script=scene.script,
            caption=scene.caption,
            prompt=scene.prompt,
            shot_type=scene.shot_type,
            transition=scene.transition,
            duration_seconds=scene.duration_seconds,
            continuity=scene.continuity,
            asset_ids=list(scene.asset_ids or []),
            character_asset_id=str(scene.character_asset_id) if scene.character_asset_id else None,
            refinements=scene.refinements,
            feedback=list(scene.feedback or []),
            narration=scene.narration,
        )

    def to_dict(self) -> dict[str, Any]:
        """The storyboard fields as JSON (templates)."""
        return {
            "beat": self.beat.value if self.beat else None,
            "title": self.title,
            "description": self.description,
            "script": self.script,
            "caption": self.caption,
            "prompt": self.prompt,
            "shot_type": self.shot_type.value,
            "transition": self.transition.value,
            "duration_seconds": self.duration_seconds,
            "continuity": self.continuity.value,
            "asset_ids": list(self.asset_ids),
            "character_asset_id": self.character_asset_id,
            **({"narration": self.narration} if self.narration is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SceneDraft:
        """From ``to_dict``'s JSON."""
        beat = data.get("beat")
        return cls(
            beat=SceneBeat(beat) if beat else None,
            title=str(data.get("title", "")),
            description=str(data.get("description", "")),
            script=str(data.get("script", "")),
            caption=str(data.get("caption", "")),
            prompt=str(data.get("prompt", "")),
            shot_type=ShotType(data["shot_type"]),
            transition=Transition(data["transition"]),
            duration_seconds=float(data["duration_seconds"]),
            continuity=SceneContinuity(data["continuity"]),
            asset_ids=[str(a) for a in data.get("asset_ids") or []],
            character_asset_id=data.get("character_asset_id") or None,
            narration=None if data.get("narration") is None else str(data["narration"]),
        )

    @property
    def status(self) -> SceneStatus:
        """What the reused outputs make the scene."""
        if self.clip_asset_id is not None:
            return SceneStatus.RENDERED
        if self.image_asset_id is not None:
            return SceneStatus.IMAGE_READY
        return SceneStatus.PENDING


@dataclass
class JobDraft:
    """A job to store with its storyboard."""

    organization_id: uuid.UUID
    campaign_id: uuid.UUID
    brief: dict[str, Any]
    aspect_ratio: AspectRatio
    continuity: bool
    captions: bool
    voiceover: bool
    music_asset_id: uuid.UUID | None
    asset_ids: list[str]
    providers: dict[str, str]
    budget_usd: Decimal | None
    auto_approve: bool
    approved: bool
    refinements_limit: int
    scenes: Sequence[SceneDraft]
    variant_group_id: uuid.UUID | None = None
    batch_id: uuid.UUID | None = None
    batch_row: int | None = None

    @property
    def estimated_usd(self) -> Decimal:
        return sum((s.estimated_cost_usd for s in self.scenes), Decimal(0))


async def store_job(
    session: AsyncSession,
    draft: JobDraft,
    *,
    default_resolution: Resolution,
    payload: dict[str, Any] | None = None,
) -> Job:
    """Store the job QUEUED at PLAN with its scenes and default render, record JOB_CREATED and
    the scenes' SCENE_UPDATED events, and ask for PLAN (after the caller's commit)."""
    now = utcnow()
    job = Job(
        id=uuid.uuid4(),
        organization_id=draft.organization_id,
        campaign_id=draft.campaign_id,
        status=JobStatus.QUEUED,
        stage=JobStage.PLAN,
        progress=0.0,
        brief=draft.brief,
        duration_seconds=total_seconds([s.duration_seconds for s in draft.scenes]),
        aspect_ratio=draft.aspect_ratio,
        continuity=draft.continuity,
        scene_count=len(draft.scenes),
        auto_approve=draft.auto_approve,
        captions=draft.captions,
        voiceover=draft.voiceover,
        music_asset_id=draft.music_asset_id,
        asset_ids=list(draft.asset_ids),
        providers=dict(draft.providers),
        budget_usd=draft.budget_usd,
        estimated_cost_usd=draft.estimated_usd,
        actual_cost_usd=Decimal(0),
        refinements_used=0,
        refinements_limit=draft.refinements_limit,
        approved_at=now if draft.approved else None,
        variant_group_id=draft.variant_group_id,
        batch_id=draft.batch_id,
        batch_row=draft.batch_row,
    )
    session.add(job)
    await session.flush()
    scenes = [
        Scene(
            id=uuid.uuid4(),
            organization_id=job.organization_id,
            job_id=job.id,
            position=position,
            beat=s.beat,
            title=s.title[:200],
            description=s.description,
            script=s.script,
            narration=s.narration,
            caption=s.caption,
            prompt=s.prompt,
            shot_type=s.shot_type,
            transition=s.transition,
            duration_seconds=s.duration_seconds,
            continuity=s.continuity,
            status=s.status,
            asset_ids=list(s.asset_ids),
            character_asset_id=(uuid.UUID(s.character_asset_id) if s.character_asset_id else None),
            image_asset_id=s.image_asset_id,
            clip_asset_id=s.clip_asset_id,
            last_frame_asset_id=s.last_frame_asset_id,
            refinements=s.refinements,
            feedback=list(s.feedback),
            estimated_cost_usd=s.estimated_cost_usd,
            actual_cost_usd=Decimal(0),
        )
        for position, s in enumerate(draft.scenes)
    ]
    session.add_all(scenes)
    session.add(Render.default_output(job, default_resolution))
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.JOB_CREATED,
        "job created",
        payload={
            "estimatedUsd": str(job.estimated_cost_usd),
            "plannedScenes": len(scenes),
            **(payload or {}),
        },
    )
    for scene in scenes:
        await record_job_event(
            session,
            job,
            JobEventType.SCENE_UPDATED,
            f"scene {scene.position + 1}: {scene.title}",
            scene_id=scene.id,
            payload={"position": scene.position, "sceneStatus": scene.status.value},
        )
    request_stage(session, job.id, JobStage.PLAN)
    return job


__all__ = ["JobDraft", "SceneDraft", "store_job"]
