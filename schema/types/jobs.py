"""Jobs, scenes and renders: one ad being made from a brief, its storyboard and its outputs.

The live-events area owns ``Job.events``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import strawberry

from domain import enums, models
from domain.rules.budget import variance_ratio
from domain.rules.job_states import available_actions
from domain.rules.planner import Brief as BriefRule
from domain.rules.pricing import CostLine as CostLineRule
from domain.rules.pricing import ProviderChoice as ProviderChoiceRule
from domain.services.event_history import check_first, decode_event_cursor
from domain.services.jobs import Prepared, snapshot_from
from schema.enums import (
    AspectRatio,
    JobAction,
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
from schema.errors import UserError
from schema.ids import encode_id
from schema.pagination import Connection, connection
from schema.types.assets import Asset
from schema.types.clients import Campaign
from schema.types.events import JobEvent
from schema.types.node import Node
from schema.types.stage_error import StageError


def _usd(value: object) -> float:
    return round(float(value), 2)  # type: ignore[arg-type]


def _error(row: models.Job | models.Scene | models.Render) -> StageError | None:
    return StageError.of(
        row.error_code,
        row.error_stage.value if row.error_stage else None,
        row.error_message,
        row.error_retryable,
    )


async def _assets(info: strawberry.Info, ids: Sequence[str | uuid.UUID]) -> list[Asset]:
    keys = [i if isinstance(i, uuid.UUID) else uuid.UUID(i) for i in ids]
    rows = await info.context.loaders.asset().load_many(keys)
    return [Asset.from_model(r) for r in rows if r is not None]


async def _asset(info: strawberry.Info, asset_id: uuid.UUID | None) -> Asset | None:
    if asset_id is None:
        return None
    row = await info.context.loaders.asset().load(asset_id)
    return Asset.from_model(row) if row is not None else None


@strawberry.type(description="Money spent and planned: `varianceRatio` 0.25 = 25% over.")
class Cost:
    estimated_usd: float
    actual_usd: float
    variance_ratio: float | None = strawberry.field(
        description="(actual - estimated) / estimated; null when only the estimate is zero."
    )

    @classmethod
    def of(cls, estimated: Decimal, actual: Decimal) -> Cost:
        return cls(
            estimated_usd=_usd(estimated),
            actual_usd=_usd(actual),
            variance_ratio=variance_ratio(estimated, actual),
        )


@strawberry.type(description="What the ad is about.")
class Brief:
    product: str
    audience: str | None
    tone: str | None
    call_to_action: str | None
    language: str
    prompt: str | None

    @classmethod
    def of(cls, data: Mapping[str, object]) -> Brief:
        b = BriefRule.from_dict(data)
        return cls(
            product=b.product,
            audience=b.audience or None,
            tone=b.tone or None,
            call_to_action=b.call_to_action or None,
            language=b.language,
            prompt=b.prompt or None,
        )


@strawberry.type(description="The provider used for each kind of work (`builtin`: offline).")
class ProviderChoice:
    planner: str
    image: str
    video: str
    voice: str

    @classmethod
    def of(cls, data: Mapping[str, object]) -> ProviderChoice:
        c = ProviderChoiceRule.from_dict(data)
        return cls(planner=c.planner, image=c.image, video=c.video, voice=c.voice)


@strawberry.type(description="One ad being made from a brief.")
class Job(Node):
    status: JobStatus
    stage: JobStage | None
    progress: float
    brief: Brief
    duration_seconds: float
    aspect_ratio: AspectRatio
    continuity: bool
    scene_count: int | None = strawberry.field(description="Requested scene count, if any.")
    auto_approve: bool
    captions: bool
    voiceover: bool
    providers: ProviderChoice
    cost: Cost
    budget_usd: float | None
    refinements_used: int
    refinements_limit: int
    error: StageError | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    approved_at: datetime | None
    completed_at: datetime | None
    model: strawberry.Private[models.Job]

    @classmethod
    def from_model(cls, m: models.Job) -> Job:
        return cls(
            id=encode_id("Job", m.id),
            status=m.status,
            stage=m.stage,
            progress=m.progress,
            brief=Brief.of(m.brief),
            duration_seconds=m.duration_seconds,
            aspect_ratio=m.aspect_ratio,
            continuity=m.continuity,
            scene_count=m.scene_count,
            auto_approve=m.auto_approve,
            captions=m.captions,
            voiceover=m.voiceover,
            providers=ProviderChoice.of(m.providers),
            cost=Cost.of(m.estimated_cost_usd, m.actual_cost_usd),
            budget_usd=_usd(m.budget_usd) if m.budget_usd is not None else None,
            refinements_used=m.refinements_used,
            refinements_limit=m.refinements_limit,
            error=_error(m),
            created_at=m.created_at,
            updated_at=m.updated_at,
            started_at=m.started_at,
            approved_at=m.approved_at,
            completed_at=m.completed_at,
            model=m,
        )

    @strawberry.field
    async def campaign(self, info: strawberry.Info) -> Campaign:
        row = await info.context.loaders.campaign().load(self.model.campaign_id)
        assert row is not None
        return Campaign.from_model(row)

    @strawberry.field(description="The storyboard, in order.")
    async def scenes(self, info: strawberry.Info) -> list[Scene]:
        rows = await info.context.loaders.job_scenes().load(self.model.id)
        return [Scene.from_model(r) for r in rows]

    @strawberry.field(description="Every render: the default output first, then exports.")
    async def renders(self, info: strawberry.Info) -> list[Render]:
        rows = await info.context.loaders.job_renders().load(self.model.id)
        return [Render.from_model(r) for r in rows]

    @strawberry.field(description="The default render (MP4, 1080p, the job's aspect ratio).")
    async def output(self, info: strawberry.Info) -> Render | None:
        rows = await info.context.loaders.job_renders().load(self.model.id)
        default = next((r for r in rows if r.is_default), None)
        return Render.from_model(default) if default is not None else None

    @strawberry.field(description="What may be done with the job now (the state machine's view).")
    async def available_actions(self, info: strawberry.Info) -> list[JobAction]:
        scenes = await info.context.loaders.job_scenes().load(self.model.id)
        renders = await info.context.loaders.job_renders().load(self.model.id)
        return list(available_actions(snapshot_from(self.model, scenes, renders)))

    @strawberry.field(description="The brand assets given to the job.")
    async def assets(self, info: strawberry.Info) -> list[Asset]:
        return await _assets(info, self.model.asset_ids)

    @strawberry.field(description="The music under the ad.")
    async def music(self, info: strawberry.Info) -> Asset | None:
        return await _asset(info, self.model.music_asset_id)

    @strawberry.field(
        description="The job's events, oldest first: the same history `jobEvents` replays."
    )
    async def events(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[JobEvent]:
        limit = check_first(first)
        start = decode_event_cursor(after, self.model.id)
        page = await info.context.loaders.job_events(start, limit).load(self.model.id)
        return connection(page, JobEvent.from_model)


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
            status=m.status,
            refinements=m.refinements,
            feedback=[str(f) for f in m.feedback],
            cost=Cost.of(m.estimated_cost_usd, m.actual_cost_usd),
            error=_error(m),
            created_at=m.created_at,
            updated_at=m.updated_at,
            model=m,
        )

    @strawberry.field
    async def job(self, info: strawberry.Info) -> Job:
        row = await info.context.loaders.job().load(self.model.job_id)
        assert row is not None
        return Job.from_model(row)

    @strawberry.field(description="Brand assets placed in the scene.")
    async def assets(self, info: strawberry.Info) -> list[Asset]:
        return await _assets(info, self.model.asset_ids)

    @strawberry.field(description="The key image (storyboard frame).")
    async def image(self, info: strawberry.Info) -> Asset | None:
        return await _asset(info, self.model.image_asset_id)

    @strawberry.field(description="The scene's clip.")
    async def clip(self, info: strawberry.Info) -> Asset | None:
        return await _asset(info, self.model.clip_asset_id)

    @strawberry.field(
        description="The clip's exact last frame (the next CONTINUE scene starts on it)."
    )
    async def last_frame(self, info: strawberry.Info) -> Asset | None:
        return await _asset(info, self.model.last_frame_asset_id)


@strawberry.type(description="One export of a job: a format, resolution and aspect ratio.")
class Render(Node):
    format: VideoFormat
    resolution: Resolution
    aspect_ratio: AspectRatio
    quality: RenderQuality
    is_default: bool = strawberry.field(description="The job's default output.")
    status: RenderStatus
    progress: float
    error: StageError | None
    created_at: datetime
    completed_at: datetime | None
    model: strawberry.Private[models.Render]

    @classmethod
    def from_model(cls, m: models.Render) -> Render:
        return cls(
            id=encode_id("Render", m.id),
            format=m.format,
            resolution=m.resolution,
            aspect_ratio=m.aspect_ratio,
            quality=m.quality,
            is_default=m.is_default,
            status=m.status,
            progress=m.progress,
            error=_error(m),
            created_at=m.created_at,
            completed_at=m.completed_at,
            model=m,
        )

    @strawberry.field
    async def job(self, info: strawberry.Info) -> Job:
        row = await info.context.loaders.job().load(self.model.job_id)
        assert row is not None
        return Job.from_model(row)

    @strawberry.field(description="The encoded file, once COMPLETED.")
    async def asset(self, info: strawberry.Info) -> Asset | None:
        return await _asset(info, self.model.asset_id)


# --- estimates -------------------------------------------------------------------------------


@strawberry.type(description="A scene the planner would make, with what it would cost.")
class SceneEstimate:
    position: int
    beat: SceneBeat
    title: str
    description: str
    script: str
    caption: str
    prompt: str
    shot_type: ShotType
    transition: Transition
    duration_seconds: float
    continuity: SceneContinuity
    assets: list[Asset]
    estimated_usd: float


@strawberry.type(description="One priced provider call of an estimate.")
class CostLine:
    kind: str = strawberry.field(description="planner, image, video or voice.")
    provider: str
    scene_position: int | None
    seconds: float
    characters: int
    usd: float

    @classmethod
    def of(cls, line: CostLineRule) -> CostLine:
        return cls(
            kind=line.kind.value,
            provider=line.ref,
            scene_position=line.scene,
            seconds=line.seconds,
            characters=line.chars,
            usd=_usd(line.usd),
        )


@strawberry.type(description="A dry run of createJob: the scenes it would plan and their cost.")
class CostEstimate:
    estimated_usd: float | None = None
    budget_usd: float | None = None
    within_budget: bool | None = None
    duration_seconds: float | None = None
    scene_count: int | None = None
    scenes: list[SceneEstimate] = strawberry.field(default_factory=list)
    lines: list[CostLine] = strawberry.field(default_factory=list)
    providers: ProviderChoice | None = None
    music: Asset | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, p: Prepared) -> CostEstimate:
        scenes = [
            SceneEstimate(
                position=i,
                beat=s.beat,
                title=s.title,
                description=s.description,
                script=s.script,
                caption=s.caption,
                prompt=s.prompt,
                shot_type=s.shot_type,
                transition=s.transition,
                duration_seconds=s.duration_seconds,
                continuity=s.continuity,
                assets=[Asset.from_model(p.assets_by_id[a]) for a in s.asset_ids],
                estimated_usd=_usd(cost),
            )
            for i, (s, cost) in enumerate(zip(p.plan.scenes, p.estimate.scene_usd, strict=True))
        ]
        return cls(
            estimated_usd=_usd(p.estimate.total_usd),
            budget_usd=_usd(p.budget_usd) if p.budget_usd is not None else None,
            within_budget=p.within_budget,
            duration_seconds=p.duration_seconds,
            scene_count=len(scenes),
            scenes=scenes,
            lines=[CostLine.of(line) for line in p.estimate.lines],
            providers=ProviderChoice.of(p.choice.to_dict()),
            music=Asset.from_model(p.assets_by_id[p.plan.music_asset_id])
            if p.plan.music_asset_id
            else None,
        )


# --- inputs ----------------------------------------------------------------------------------


@strawberry.input
class BriefInput:
    product: str
    audience: str | None = None
    tone: str | None = None
    call_to_action: str | None = None
    language: str | None = strawberry.field(default=None, description="A tag like en or pt-BR.")
    prompt: str | None = strawberry.field(default=None, description="Creative direction.")


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
    caption: str | None = strawberry.UNSET
    prompt: str | None = strawberry.UNSET
    duration_seconds: float | None = strawberry.UNSET
    shot_type: ShotType | None = strawberry.UNSET
    transition: Transition | None = strawberry.UNSET
    continuity: SceneContinuity | None = strawberry.UNSET
    asset_ids: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class AddSceneInput:
    job_id: strawberry.ID
    position: int | None = strawberry.field(
        default=None, description="0-based; default: before the end card."
    )
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    script: str | None = strawberry.UNSET
    caption: str | None = strawberry.UNSET
    prompt: str | None = strawberry.UNSET
    duration_seconds: float | None = strawberry.UNSET
    shot_type: ShotType | None = strawberry.UNSET
    transition: Transition | None = strawberry.UNSET
    continuity: SceneContinuity | None = strawberry.UNSET
    asset_ids: list[strawberry.ID] | None = strawberry.UNSET


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


@strawberry.input
class CancelJobInput:
    job_id: strawberry.ID


@strawberry.input
class RetryJobInput:
    job_id: strawberry.ID


@strawberry.input
class ExportJobInput:
    job_id: strawberry.ID
    format: VideoFormat = enums.VideoFormat.MP4
    resolution: Resolution = enums.Resolution.P1080
    aspect_ratio: AspectRatio | None = strawberry.field(
        default=None, description="Default: the job's aspect ratio."
    )
    quality: RenderQuality = enums.RenderQuality.BALANCED


# --- payloads --------------------------------------------------------------------------------


@strawberry.type
class JobPayload:
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ScenePayload:
    scene: Scene | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteScenePayload:
    deleted_scene_id: strawberry.ID | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RenderPayload:
    render: Render | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


__all__ = [
    "AddSceneInput",
    "ApproveStoryboardInput",
    "Brief",
    "BriefInput",
    "CancelJobInput",
    "Cost",
    "CostEstimate",
    "CostLine",
    "CreateJobInput",
    "DeleteSceneInput",
    "DeleteScenePayload",
    "ExportJobInput",
    "Job",
    "JobPayload",
    "ProviderChoice",
    "ProviderChoiceInput",
    "RegenerateSceneInput",
    "Render",
    "RenderPayload",
    "ReorderScenesInput",
    "RetryJobInput",
    "Scene",
    "SceneEstimate",
    "ScenePayload",
    "UpdateSceneInput",
]
