"""Jobs: one ad being made from a brief, with its brief, providers and links to the rest.

Scenes and renders live in their own modules and point back to ``Job`` lazily. The live-events
area owns ``Job.events``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import models
from domain.rules.job_states import available_actions
from domain.rules.planner import Brief as BriefRule
from domain.rules.pricing import ProviderChoice as ProviderChoiceRule
from domain.services.event_history import check_first, decode_event_cursor
from domain.services.jobs import snapshot_from
from domain.services.pipeline.layouts import is_product_picture, planned_share, shown_asset_ids
from schema.enums import AspectRatio, CaptionStyle, JobAction, JobStage, JobStatus
from schema.ids import encode_id
from schema.pagination import Connection, connection
from schema.types.assets import Asset, load_asset, load_assets
from schema.types.clients import Campaign
from schema.types.cost import Cost, usd
from schema.types.events import JobEvent
from schema.types.node import Node
from schema.types.renders import Render
from schema.types.scenes import Scene
from schema.types.stage_error import StageError

if TYPE_CHECKING:
    from schema.types.batches import JobBatch, VariantGroup


@strawberry.type(description="What the ad is about.")
class Brief:
    product: str
    audience: str | None
    tone: str | None
    call_to_action: str | None
    language: str
    prompt: str | None
    voice: str | None
    caption_style: CaptionStyle = strawberry.field(
        description="How captions are drawn (BOX unless the brief chose another)."
    )
    features: list[str] = strawberry.field(
        description="The product's features the benefit scene calls out (empty: none)."
    )

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
            voice=b.voice or None,
            caption_style=CaptionStyle(b.caption_style or CaptionStyle.BOX),
            features=list(b.features),
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
    warnings: list[str] = strawberry.field(
        description="What the ad could not do as asked, e.g. a logo too small to enlarge sharply."
    )
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
            budget_usd=usd(m.budget_usd) if m.budget_usd is not None else None,
            refinements_used=m.refinements_used,
            refinements_limit=m.refinements_limit,
            error=StageError.of_row(m),
            warnings=list(m.warnings or []),
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

    @strawberry.field(
        description="The share (0..1) of the ad's frames showing a product shot: counted on the "
        "composition once it is composed (each scene's frames, transitions split between the "
        "two scenes, in the layout it was composed with), the planned share before "
        "(`plannedProductScreenShare`); null without scenes."
    )
    async def product_screen_share(self, info: strawberry.Info) -> float | None:
        if self.model.product_screen_share is not None:
            return self.model.product_screen_share
        return await _planned_share(info, self.model)

    @strawberry.field(
        description="The share (0..1) of the ad's frames the planner's layouts show a product "
        "shot in: the scenes with a PRODUCT picture in a layout that shows it (FULL, SPLIT, "
        "FEATURES), by their durations; null without scenes."
    )
    async def planned_product_screen_share(self, info: strawberry.Info) -> float | None:
        return await _planned_share(info, self.model)

    @strawberry.field(description="The brand assets given to the job.")
    async def assets(self, info: strawberry.Info) -> list[Asset]:
        return await load_assets(info, self.model.asset_ids)

    @strawberry.field(
        description="The captions of a narrated ad, timed to its speech: `captions.srt` then "
        "`captions.vtt` (empty without narration or before composition)."
    )
    async def caption_files(self, info: strawberry.Info) -> list[Asset]:
        rows = await info.context.loaders.job_caption_files().load(self.model.id)
        return [Asset.from_model(r) for r in rows]

    @strawberry.field(description="The music under the ad.")
    async def music(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.music_asset_id)

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

    @strawberry.field(description="The variant group the job was made in (createVariants).")
    async def variant_group(
        self, info: strawberry.Info
    ) -> Annotated[VariantGroup, strawberry.lazy("schema.types.batches")] | None:
        from schema.types.batches import VariantGroup

        if self.model.variant_group_id is None:
            return None
        row = await info.context.loaders.by_id(models.VariantGroup).load(
            self.model.variant_group_id
        )
        return VariantGroup.from_model(row) if row is not None else None

    @strawberry.field(description="The template batch the job was made in, if any.")
    async def batch(
        self, info: strawberry.Info
    ) -> Annotated[JobBatch, strawberry.lazy("schema.types.batches")] | None:
        from schema.types.batches import JobBatch

        if self.model.batch_id is None:
            return None
        row = await info.context.loaders.by_id(models.JobBatch).load(self.model.batch_id)
        return JobBatch.from_model(row) if row is not None else None


async def _planned_share(info: strawberry.Info, job: models.Job) -> float | None:
    """The share of the job's frames its layouts plan to show a product shot."""
    scenes = await info.context.loaders.job_scenes().load(job.id)
    if not scenes:
        return None
    rows = await info.context.loaders.asset().load_many(list(shown_asset_ids(scenes)))
    products = {r.id for r in rows if r is not None and is_product_picture(r)}
    return planned_share(job, scenes, products)


__all__ = ["Brief", "Job", "ProviderChoice"]
