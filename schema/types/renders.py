"""Renders: a job's encoded outputs (the default one and its exports)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import models
from schema.enums import AspectRatio, RenderQuality, RenderStatus, Resolution, VideoFormat
from schema.ids import encode_id
from schema.types.assets import Asset, load_asset
from schema.types.node import Node
from schema.types.stage_error import StageError

if TYPE_CHECKING:
    from schema.types.jobs import Job


@strawberry.type(description="One export of a job: a format, resolution and aspect ratio.")
class Render(Node):
    format: VideoFormat
    resolution: Resolution
    aspect_ratio: AspectRatio
    quality: RenderQuality
    is_default: bool = strawberry.field(description="The job's default output.")
    captions: bool | None = strawberry.field(
        description="Captions burned in (true) or not (false); null: as the job."
    )
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
            captions=m.captions,
            status=m.status,
            progress=m.progress,
            error=StageError.of_row(m),
            created_at=m.created_at,
            completed_at=m.completed_at,
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

    @strawberry.field(description="The encoded file, once COMPLETED.")
    async def asset(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.asset_id)


__all__ = ["Render"]
