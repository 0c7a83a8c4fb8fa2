"""Scenes: the storyboard of a job, one shot each."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import models
from domain.services.jobs.scene_narration import job_line
from schema.enums import FootageAudio, SceneBeat, SceneContinuity, SceneStatus, ShotType, Transition
from schema.ids import encode_id
from schema.types.assets import Asset, load_asset, load_assets
from schema.types.cost import Cost
from schema.types.node import Node
from schema.types.stage_error import StageError

if TYPE_CHECKING:
    from schema.types.jobs import Job


@strawberry.type(description="One scene of a job's storyboard.")
class Scene(Node):
    position: int = strawberry.field(description="0-based place in the storyboard.")
    beat: SceneBeat | None
    title: str
    description: str
    script: str = strawberry.field(description="The voice-over line.")
    caption: str = strawberry.field(description="On-screen text, rendered exactly as written.")
    prompt: str = strawberry.field(description="The visual prompt of the key image.")
    shot_type: ShotType
    transition: Transition = strawberry.field(
        description="How the scene is entered from the previous one."
    )
    duration_seconds: float
    continuity: SceneContinuity
    trim_start_seconds: float | None = strawberry.field(
        description="In-point of the scene's footage (null: a steady moment is picked)."
    )
    footage_audio: FootageAudio = strawberry.field(
        description="The footage's own sound: MUTE, or MIX under the narration."
    )
    status: SceneStatus
    refinements: int
    feedback: list[str]
    cost: Cost
    error: StageError | None
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Scene]

    @classmethod
    def from_model(cls, m: models.Scene) -> Scene:
        return cls(
            id=encode_id("Scene", m.id),
            position=m.position,
            beat=m.beat,
            title=m.title,
            description=m.description,
            script=m.script,
            caption=m.caption,
            prompt=m.prompt,
            shot_type=m.shot_type,
            transition=m.transition,
            duration_seconds=m.duration_seconds,
            continuity=m.continuity,
            trim_start_seconds=m.trim_start_seconds,
            footage_audio=m.footage_audio,
            status=m.status,
            refinements=m.refinements,
            feedback=[str(f) for f in m.feedback],
            cost=Cost.of(m.estimated_cost_usd, m.actual_cost_usd),
            error=StageError.of_row(m),
            created_at=m.created_at,
            updated_at=m.updated_at,
            model=m,
        )

    @strawberry.field
    async def job(
        self, info: strawberry.Info
    ) -> Annotated[Job, strawberry.lazy("schema.types.jobs")]:
        from schema.types.jobs import Job

        row = await info.context.loaders.job().load(self.model.job_id)
        assert row is not None
        return Job.from_model(row)

    @strawberry.field(
        description="What the scene says: the narration set with updateScene, else its script "
        "(the end card says the brief's call to action)."
    )
    async def narration(self, info: strawberry.Info) -> str:
        if self.model.narration is not None:
            return self.model.narration
        row = await info.context.loaders.job().load(self.model.job_id)
        assert row is not None
        return job_line(row, self.model)

    @strawberry.field(description="The scene's narration as spoken (a WAV), once synthesised.")
    async def narration_audio(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.narration_asset_id)

    @strawberry.field(description="Brand assets placed in the scene.")
    async def assets(self, info: strawberry.Info) -> list[Asset]:
        return await load_assets(info, self.model.asset_ids)

    @strawberry.field(
        description="The uploaded video the clip is cut from (null: the clip is generated)."
    )
    async def footage(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.footage_asset_id)

    @strawberry.field(
        description="The character shown in the scene (a CHARACTER image of the brand kit), "
        "the same in every scene it is in; null: none."
    )
    async def character(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.character_asset_id)

    @strawberry.field(description="The key image (storyboard frame).")
    async def image(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.image_asset_id)

    @strawberry.field(description="The scene's clip.")
    async def clip(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.clip_asset_id)

    @strawberry.field(
        description="The clip's exact last frame (the next CONTINUE scene starts on it)."
    )
    async def last_frame(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.last_frame_asset_id)


__all__ = ["Scene"]
