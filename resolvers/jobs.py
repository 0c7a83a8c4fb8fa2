"""Queries and mutations for jobs, scenes and renders."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ValidationErrors
from domain.models import Job as JobModel
from domain.rules.pricing import PriceTable
from domain.services import jobs as service
from domain.services.pagination import PageRequest, fetch_page
from resolvers.context import Context, context_of
from resolvers.mutations import in_transaction
from resolvers.payloads import user_errors_as
from schema.enums import AspectRatio, JobStatus, RenderQuality, Resolution, VideoFormat
from schema.ids import decode_id, encode_id
from schema.pagination import Connection, connection
from schema.types.estimates import CostEstimate
from schema.types.job_inputs import (
    AddSceneInput,
    ApproveStoryboardInput,
    CancelJobInput,
    CreateJobInput,
    DeleteSceneInput,
    ExportJobInput,
    RegenerateSceneInput,
    ReorderScenesInput,
    RetryJobInput,
    UpdateSceneInput,
)
from schema.types.job_payloads import DeleteScenePayload, JobPayload, RenderPayload, ScenePayload
from schema.types.jobs import Job
from schema.types.renders import Render
from schema.types.scenes import Scene

T = TypeVar("T")

_SCENE_FIELDS = {
    "title": "title",
    "description": "description",
    "script": "script",
    "narration": "narration",
    "caption": "caption",
    "prompt": "prompt",
    "duration_seconds": "duration_seconds",
    "shot_type": "shot_type",
    "transition": "transition",
    "continuity": "continuity",
    "asset_ids": "asset_ids",
    "trim_start_seconds": "trim_start_seconds",
    "footage_audio": "footage_audio",
    "character_asset_id": "character_asset_id",
}


def _prices(ctx: Context) -> PriceTable:
    return ctx.container.prices


def _refinements_limit(ctx: Context) -> int:
    return ctx.container.settings.refinements_limit


async def _mutate(ctx: Context, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One transaction; the stage runs it asked for are enqueued only after it commits."""
    return await in_transaction(ctx, work)


def _decode_ids(ids: list[strawberry.ID] | None, expected: str, field: str) -> list[uuid.UUID]:
    errors: list[DomainError] = []
    out: list[uuid.UUID] = []
    for index, value in enumerate(ids or []):
        try:
            out.append(decode_id(value, expected, field))
        except DomainError as exc:
            errors.append(DomainError(exc.code, exc.message, [field, str(index)]))
    if errors:
        raise ValidationErrors(errors)
    return out


def _fields(input_: object) -> service.SceneFields:
    values: dict[str, Any] = {}
    for source, target in _SCENE_FIELDS.items():
        value = getattr(input_, source)
        if value is strawberry.UNSET:
            continue
        if source == "asset_ids":
            value = _decode_ids(value, "Asset", "assetIds") if value is not None else []
        if source == "character_asset_id" and value is not None:
            value = decode_id(value, "Asset", "characterAssetId")
        values[target] = value
    return service.SceneFields(values)


def _new_job(input_: CreateJobInput) -> service.NewJob:
    brief = input_.brief
    providers = input_.providers
    return service.NewJob(
        campaign_id=decode_id(input_.campaign_id, "Campaign", "campaignId"),
        product=brief.product,
        audience=brief.audience,
        tone=brief.tone,
        call_to_action=brief.call_to_action,
        language=brief.language,
        prompt=brief.prompt,
        voice=brief.voice,
        caption_style=brief.caption_style,
        features=tuple(brief.features or ()),
        duration_seconds=input_.duration_seconds,
        aspect_ratio=AspectRatio(input_.aspect_ratio),
        scene_count=input_.scene_count,
        continuity=input_.continuity,
        asset_ids=_decode_ids(input_.asset_ids, "Asset", "assetIds"),
        auto_approve=input_.auto_approve,
        budget_usd=input_.budget_usd,
        providers=(
            {
                "planner": providers.planner,
                "image": providers.image,
                "video": providers.video,
                "voice": providers.voice,
            }
            if providers is not None
            else None
        ),
        captions=input_.captions,
        music_asset_id=decode_id(input_.music, "Asset", "music") if input_.music else None,
        voiceover=input_.voiceover,
    )


@strawberry.type
class JobQueries:
    @strawberry.field(description="The organization's jobs, oldest first.")
    async def jobs(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        campaign_id: strawberry.ID | None = None,
        status: list[JobStatus] | None = None,
    ) -> Connection[Job]:
        ctx = context_of(info)
        req = PageRequest.of(first, after, last, before)
        campaign = decode_id(campaign_id, "Campaign", "campaignId") if campaign_id else None
        statuses = [JobStatus(s) for s in status] if status else None
        stmt = service.jobs_query(ctx.org_id, campaign, statuses)
        page = await fetch_page(ctx.session, stmt, JobModel, req)
        return connection(page, Job.from_model)

    @strawberry.field(
        description="A dry run of createJob: the scenes it would plan and what they would cost."
    )
    @user_errors_as(CostEstimate)
    async def estimate_job(self, info: strawberry.Info, input: CreateJobInput) -> CostEstimate:
        ctx = context_of(info)
        prepared = await service.estimate_new_job(
            ctx.session, ctx.org_id, _new_job(input), prices=_prices(ctx)
        )
        return CostEstimate.of(prepared)


@strawberry.type
class JobMutations:
    @strawberry.mutation(
        description="Start a job: validated, priced (BUDGET_EXCEEDED over budget), then planned."
    )
    @user_errors_as(JobPayload)
    async def create_job(self, info: strawberry.Info, input: CreateJobInput) -> JobPayload:
        ctx = context_of(info)
        new = _new_job(input)
        row = await _mutate(
            ctx,
            lambda s: service.create_job(
                s,
                ctx.org_id,
                new,
                prices=_prices(ctx),
                refinements_limit=_refinements_limit(ctx),
                default_resolution=Resolution(ctx.container.settings.render_resolution),
            ),
        )
        return JobPayload(job=Job.from_model(row))

    @strawberry.mutation(description="Approve the storyboard: rendering starts.")
    @user_errors_as(JobPayload)
    async def approve_storyboard(
        self, info: strawberry.Info, input: ApproveStoryboardInput
    ) -> JobPayload:
        ctx = context_of(info)
        key = decode_id(input.job_id, "Job", "jobId")
        row = await _mutate(ctx, lambda s: service.approve_storyboard(s, ctx.org_id, key))
        return JobPayload(job=Job.from_model(row))

    @strawberry.mutation(description="Change a scene; only what the change affects is made again.")
    @user_errors_as(ScenePayload)
    async def update_scene(self, info: strawberry.Info, input: UpdateSceneInput) -> ScenePayload:
        ctx = context_of(info)
        key = decode_id(input.scene_id, "Scene", "sceneId")
        fields = _fields(input)
        row = await _mutate(
            ctx,
            lambda s: service.update_scene(s, ctx.org_id, key, fields, prices=_prices(ctx)),
        )
        job = await service.get_job(ctx.session, ctx.org_id, row.job_id)
        return ScenePayload(scene=Scene.from_model(row), job=Job.from_model(job))

    @strawberry.mutation(description="Insert a scene (default: before the end card).")
    @user_errors_as(ScenePayload)
    async def add_scene(self, info: strawberry.Info, input: AddSceneInput) -> ScenePayload:
        ctx = context_of(info)
        key = decode_id(input.job_id, "Job", "jobId")
        fields = _fields(input)
        row = await _mutate(
            ctx,
            lambda s: service.add_scene(
                s, ctx.org_id, key, input.position, fields, prices=_prices(ctx)
            ),
        )
        job = await service.get_job(ctx.session, ctx.org_id, row.job_id)
        return ScenePayload(scene=Scene.from_model(row), job=Job.from_model(job))

    @strawberry.mutation(description="Remove a scene (a job keeps 3 to 7 scenes).")
    @user_errors_as(DeleteScenePayload)
    async def delete_scene(
        self, info: strawberry.Info, input: DeleteSceneInput
    ) -> DeleteScenePayload:
        ctx = context_of(info)
        key = decode_id(input.scene_id, "Scene", "sceneId")
        job = await _mutate(
            ctx, lambda s: service.delete_scene(s, ctx.org_id, key, prices=_prices(ctx))
        )
        return DeleteScenePayload(deleted_scene_id=encode_id("Scene", key), job=Job.from_model(job))

    @strawberry.mutation(description="Put the scenes in a new order (every scene exactly once).")
    @user_errors_as(JobPayload)
    async def reorder_scenes(self, info: strawberry.Info, input: ReorderScenesInput) -> JobPayload:
        ctx = context_of(info)
        key = decode_id(input.job_id, "Job", "jobId")
        scene_ids = _decode_ids(input.scene_ids, "Scene", "sceneIds")
        job = await _mutate(
            ctx,
            lambda s: service.reorder_scenes(s, ctx.org_id, key, scene_ids, prices=_prices(ctx)),
        )
        return JobPayload(job=Job.from_model(job))

    @strawberry.mutation(
        description="Make a scene again with feedback; counts one refinement (LIMIT_EXCEEDED past the limit)."
    )
    @user_errors_as(ScenePayload)
    async def regenerate_scene(
        self, info: strawberry.Info, input: RegenerateSceneInput
    ) -> ScenePayload:
        ctx = context_of(info)
        key = decode_id(input.scene_id, "Scene", "sceneId")
        row = await _mutate(
            ctx,
            lambda s: service.regenerate_scene(
                s, ctx.org_id, key, input.feedback, prices=_prices(ctx)
            ),
        )
        job = await service.get_job(ctx.session, ctx.org_id, row.job_id)
        return ScenePayload(scene=Scene.from_model(row), job=Job.from_model(job))

    @strawberry.mutation(description="Cancel a job that has not finished.")
    @user_errors_as(JobPayload)
    async def cancel_job(self, info: strawberry.Info, input: CancelJobInput) -> JobPayload:
        ctx = context_of(info)
        key = decode_id(input.job_id, "Job", "jobId")
        row = await _mutate(ctx, lambda s: service.cancel_job(s, ctx.org_id, key))
        return JobPayload(job=Job.from_model(row))

    @strawberry.mutation(
        description="Resume a failed job at the failed stage, keeping finished work."
    )
    @user_errors_as(JobPayload)
    async def retry_job(self, info: strawberry.Info, input: RetryJobInput) -> JobPayload:
        ctx = context_of(info)
        key = decode_id(input.job_id, "Job", "jobId")
        row = await _mutate(ctx, lambda s: service.retry_job(s, ctx.org_id, key))
        return JobPayload(job=Job.from_model(row))

    @strawberry.mutation(description="Render a completed job in another format, size or shape.")
    @user_errors_as(RenderPayload)
    async def export_job(self, info: strawberry.Info, input: ExportJobInput) -> RenderPayload:
        ctx = context_of(info)
        key = decode_id(input.job_id, "Job", "jobId")
        row = await _mutate(
            ctx,
            lambda s: service.export_job(
                s,
                ctx.org_id,
                key,
                format=VideoFormat(input.format),
                resolution=Resolution(input.resolution),
                aspect_ratio=AspectRatio(input.aspect_ratio)
                if input.aspect_ratio is not None
                else None,
                quality=RenderQuality(input.quality),
                captions=input.captions,
            ),
        )
        job = await service.get_job(ctx.session, ctx.org_id, row.job_id)
        return RenderPayload(render=Render.from_model(row), job=Job.from_model(job))


__all__ = ["JobMutations", "JobQueries"]
