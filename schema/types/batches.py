"""Jobs made together: variant groups, job templates with merge fields, template batches."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import ColumnElement, select

from domain import models
from domain.services.batches.progress import batch_counts
from domain.services.pagination import PageRequest, fetch_page
from schema.enums import AspectRatio
from schema.errors import UserError
from schema.ids import encode_id
from schema.pagination import Connection, connection
from schema.types.node import Node

if TYPE_CHECKING:
    from schema.types.jobs import Job

JobRef = Annotated["Job", strawberry.lazy("schema.types.jobs")]


async def _jobs_where(
    info: strawberry.Info, clause: ColumnElement[bool], first: int | None, after: str | None
) -> Connection[Job]:
    from schema.types.jobs import Job

    ctx = info.context
    stmt = select(models.Job).where(models.Job.organization_id == ctx.org_id, clause)
    page = await fetch_page(ctx.session, stmt, models.Job, PageRequest.of(first, after, None, None))
    return connection(page, Job.from_model)


@strawberry.type(description="Jobs made from one job's storyboard with overrides (createVariants).")
class VariantGroup(Node):
    created_at: datetime
    model: strawberry.Private[models.VariantGroup]

    @classmethod
    def from_model(cls, m: models.VariantGroup) -> VariantGroup:
        return cls(id=encode_id("VariantGroup", m.id), created_at=m.created_at, model=m)

    @strawberry.field(description="The job whose storyboard the variants come from.")
    async def source_job(self, info: strawberry.Info) -> JobRef | None:
        from schema.types.jobs import Job

        row = await info.context.loaders.job().load(self.model.source_job_id)
        return Job.from_model(row) if row is not None else None

    @strawberry.field(description="The variants, oldest first.")
    async def jobs(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[JobRef]:
        return await _jobs_where(info, models.Job.variant_group_id == self.model.id, first, after)


@strawberry.type(description="A job's storyboard kept with {{merge}} fields (saveJobTemplate).")
class JobTemplate(Node):
    name: str
    fields: list[str] = strawberry.field(description="The merge fields its texts use.")
    aspect_ratio: AspectRatio
    scene_count: int
    created_at: datetime
    model: strawberry.Private[models.JobTemplate]

    @classmethod
    def from_model(cls, m: models.JobTemplate) -> JobTemplate:
        return cls(
            id=encode_id("JobTemplate", m.id),
            name=m.name,
            fields=list(m.fields),
            aspect_ratio=AspectRatio(m.storyboard["aspect_ratio"]),
            scene_count=len(m.storyboard["scenes"]),
            created_at=m.created_at,
            model=m,
        )


@strawberry.type(description="A row a batch refused, and why.")
class BatchRowError:
    row: int = strawberry.field(description="The row's index (0-based).")
    field: str = strawberry.field(description="The merge field or setting at fault.")
    code: str
    message: str


@strawberry.type(description="How many of a batch's jobs are done, failed or still running.")
class BatchCounts:
    total: int
    done: int
    failed: int
    running: int


@strawberry.type(description="The jobs one createJobsFromTemplate request made.")
class JobBatch(Node):
    rows: int = strawberry.field(description="Rows the request gave.")
    errors: list[BatchRowError] = strawberry.field(description="The rows that made no job.")
    created_at: datetime
    model: strawberry.Private[models.JobBatch]

    @classmethod
    def from_model(cls, m: models.JobBatch) -> JobBatch:
        return cls(
            id=encode_id("JobBatch", m.id),
            rows=m.rows,
            errors=[BatchRowError(**e) for e in m.errors],
            created_at=m.created_at,
            model=m,
        )

    @strawberry.field(description="The batch's jobs by status.")
    async def counts(self, info: strawberry.Info) -> BatchCounts:
        c = await batch_counts(info.context.session, info.context.org_id, self.model.id)
        return BatchCounts(total=c.total, done=c.done, failed=c.failed, running=c.running)

    @strawberry.field(description="The jobs, oldest first.")
    async def jobs(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[JobRef]:
        return await _jobs_where(info, models.Job.batch_id == self.model.id, first, after)


@strawberry.input(description="A scene's new caption and/or script, by position (0-based).")
class VariantSceneInput:
    position: int
    caption: str | None = None
    script: str | None = None


@strawberry.input(description="What one variant changes; anything left out is as in the job.")
class VariantInput:
    call_to_action: str | None = None
    hook_line: str | None = strawberry.field(
        default=None, description="The opening scene's caption and script."
    )
    voice: str | None = strawberry.field(
        default=None, description="A voice provider reference; turns the voice-over on."
    )
    music_asset_id: strawberry.ID | None = None
    aspect_ratio: AspectRatio | None = None
    duration_seconds: float | None = strawberry.field(
        default=None, description="A new total; scene lengths are scaled in proportion."
    )
    scenes: list[VariantSceneInput] | None = None


@strawberry.input
class CreateVariantsInput:
    job_id: strawberry.ID
    variants: list[VariantInput]


@strawberry.input
class SaveJobTemplateInput:
    job_id: strawberry.ID
    name: str


@strawberry.input
class CreateJobsFromTemplateInput:
    template_id: strawberry.ID
    campaign_id: strawberry.ID
    rows: list[strawberry.scalars.JSON] | None = strawberry.field(
        default=None,
        description="One object of merge-field values per job (durationSeconds: its length; "
        "features: a list, or text with the features separated by |, replacing the template's).",
    )
    csv_asset_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Instead of rows: an uploaded CSV file (an asset with the role DATA), "
        "a header row of field names, one row a job (a features column: the features "
        "separated by |).",
    )


@strawberry.input
class CreateJobsFromTemplateCsvInput:
    template_id: strawberry.ID
    campaign_id: strawberry.ID
    csv: str = strawberry.field(
        description="CSV text: a header row of field names, one row a job (a features column: "
        "the features separated by |)."
    )


@strawberry.type
class CreateVariantsPayload:
    variant_group: VariantGroup | None = None
    jobs: list[JobRef] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class JobTemplatePayload:
    template: JobTemplate | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class JobBatchPayload:
    batch: JobBatch | None = None
    jobs: list[JobRef] | None = None
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Refused rows (field rows.<n>.<field>), or why none ran."
    )


__all__ = [
    "BatchCounts",
    "BatchRowError",
    "CreateJobsFromTemplateCsvInput",
    "CreateJobsFromTemplateInput",
    "CreateVariantsInput",
    "CreateVariantsPayload",
    "JobBatch",
    "JobBatchPayload",
    "JobTemplate",
    "JobTemplatePayload",
    "SaveJobTemplateInput",
    "VariantGroup",
    "VariantInput",
    "VariantSceneInput",
]
