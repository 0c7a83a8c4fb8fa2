"""Mutations for variants, job templates and template batches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AspectRatio, Resolution
from domain.errors import Invalid, ValidationErrors
from domain.services.batches import rows as batch_rows
from domain.services.batches.csv_asset import rows_of_csv_asset
from domain.services.batches.templates import save_template
from domain.services.batches.variants import SceneText, VariantSpec, create_variants
from resolvers.context import Context, context_of
from resolvers.mutations import in_transaction
from resolvers.payloads import user_errors_as
from schema.errors import user_errors
from schema.ids import decode_id
from schema.types.batches import (
    CreateJobsFromTemplateCsvInput,
    CreateJobsFromTemplateInput,
    CreateVariantsInput,
    CreateVariantsPayload,
    JobBatch,
    JobBatchPayload,
    JobTemplate,
    JobTemplatePayload,
    SaveJobTemplateInput,
    VariantGroup,
    VariantInput,
)
from schema.types.jobs import Job


def _spec(value: VariantInput, index: int) -> VariantSpec:
    music = (
        decode_id(value.music_asset_id, "Asset", f"variants.{index}.musicAssetId")
        if value.music_asset_id
        else None
    )
    return VariantSpec(
        call_to_action=value.call_to_action,
        hook_line=value.hook_line,
        voice=value.voice,
        music_asset_id=music,
        aspect_ratio=AspectRatio(value.aspect_ratio) if value.aspect_ratio else None,
        duration_seconds=value.duration_seconds,
        scenes=tuple(SceneText(s.position, s.caption, s.script) for s in value.scenes or []),
    )


Rows = Callable[[AsyncSession], Awaitable[list[Any]]]


def _given(rows: list[Any]) -> Rows:
    async def given(_: AsyncSession) -> list[Any]:
        return rows

    return given


def _from_asset(ctx: Context, asset: strawberry.ID) -> Rows:
    asset_id = decode_id(asset, "Asset", "csvAssetId")

    async def read(session: AsyncSession) -> list[Any]:
        return list(
            await rows_of_csv_asset(
                session, ctx.container.storage, ctx.org_id, asset_id,
                limits=ctx.container.assets.limits, max_rows=ctx.container.settings.batch_max_rows,
            )
        )  # fmt: skip

    return read


async def _batch(ctx: Context, template: str, campaign: str, rows: Rows) -> JobBatchPayload:
    settings = ctx.container.settings
    template_id = decode_id(template, "JobTemplate", "templateId")
    campaign_id = decode_id(campaign, "Campaign", "campaignId")

    async def create(s: AsyncSession) -> batch_rows.BatchResult:
        return await batch_rows.create_jobs_from_template(
            s,
            ctx.org_id,
            template_id,
            campaign_id,
            await rows(s),
            prices=ctx.container.prices,
            max_rows=settings.batch_max_rows,
            refinements_limit=settings.refinements_limit,
            default_resolution=Resolution(settings.render_resolution),
        )

    result = await in_transaction(ctx, create)
    errors = [e.as_error() for e in result.errors]
    return JobBatchPayload(
        batch=JobBatch.from_model(result.batch),
        jobs=[Job.from_model(j) for j in result.jobs],
        user_errors=user_errors(ValidationErrors(errors)) if errors else [],
    )


@strawberry.type
class BatchMutations:
    @strawberry.mutation(
        description="New jobs from a job's storyboard with overrides, in one variant group; "
        "unchanged scenes reuse their stored images and clips."
    )
    @user_errors_as(CreateVariantsPayload)
    async def create_variants(
        self, info: strawberry.Info, input: CreateVariantsInput
    ) -> CreateVariantsPayload:
        ctx = context_of(info)
        settings = ctx.container.settings
        key = decode_id(input.job_id, "Job", "jobId")
        specs = [_spec(v, i) for i, v in enumerate(input.variants)]
        group, jobs = await in_transaction(
            ctx,
            lambda s: create_variants(
                s,
                ctx.org_id,
                key,
                specs,
                prices=ctx.container.prices,
                refinements_limit=settings.refinements_limit,
                default_resolution=Resolution(settings.render_resolution),
            ),
        )
        return CreateVariantsPayload(
            variant_group=VariantGroup.from_model(group), jobs=[Job.from_model(j) for j in jobs]
        )

    @strawberry.mutation(description="Keep a job's storyboard as a template with merge fields.")
    @user_errors_as(JobTemplatePayload)
    async def save_job_template(
        self, info: strawberry.Info, input: SaveJobTemplateInput
    ) -> JobTemplatePayload:
        ctx = context_of(info)
        key = decode_id(input.job_id, "Job", "jobId")
        row = await in_transaction(ctx, lambda s: save_template(s, ctx.org_id, key, input.name))
        return JobTemplatePayload(template=JobTemplate.from_model(row))

    @strawberry.mutation(
        description="One job per row of merge-field values; bad rows are reported, good rows run."
    )
    @user_errors_as(JobBatchPayload)
    async def create_jobs_from_template(
        self, info: strawberry.Info, input: CreateJobsFromTemplateInput
    ) -> JobBatchPayload:
        ctx = context_of(info)
        if (input.rows is None) == (input.csv_asset_id is None):
            raise Invalid("give either rows or csvAssetId", ["rows"])
        rows = (
            _from_asset(ctx, input.csv_asset_id)
            if input.csv_asset_id is not None
            else _given(list(input.rows or []))
        )
        return await _batch(ctx, input.template_id, input.campaign_id, rows)

    @strawberry.mutation(description="createJobsFromTemplate with the rows as CSV text.")
    @user_errors_as(JobBatchPayload)
    async def create_jobs_from_template_csv(
        self, info: strawberry.Info, input: CreateJobsFromTemplateCsvInput
    ) -> JobBatchPayload:
        ctx = context_of(info)
        limit = ctx.container.settings.batch_max_rows
        rows = batch_rows.rows_from_csv(input.csv, limit)
        if not rows:
            raise Invalid("the CSV has no rows", ["csv"])
        return await _batch(ctx, input.template_id, input.campaign_id, _given(list(rows)))


__all__ = ["BatchMutations"]
