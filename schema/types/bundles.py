"""Bundles: one ZIP of several jobs' renders, caption files and a manifest."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import models
from domain.models.batches import BundleStatus
from schema.enums import AspectRatio, Resolution, VideoFormat
from schema.errors import UserError
from schema.ids import encode_id
from schema.types.assets import Asset, load_asset
from schema.types.node import Node

strawberry.enum(BundleStatus, description="Where a bundle stands.")


@strawberry.type(description="Why a bundle failed.")
class BundleError:
    code: str
    message: str


@strawberry.type(description="One ZIP of jobs' renders, their caption files and manifest.json.")
class Bundle(Node):
    status: BundleStatus
    progress: float = strawberry.field(description="0..1: renders made, then the ZIP written.")
    file_count: int = strawberry.field(description="Renders the bundle holds (captions aside).")
    captions: bool
    error: BundleError | None
    created_at: datetime
    completed_at: datetime | None
    model: strawberry.Private[models.Bundle]

    @classmethod
    def from_model(cls, m: models.Bundle) -> Bundle:
        return cls(
            id=encode_id("Bundle", m.id),
            status=m.status,
            progress=m.progress,
            file_count=len(m.items),
            captions=m.captions,
            error=BundleError(code=m.error_code, message=m.error_message or "")
            if m.error_code
            else None,
            created_at=m.created_at,
            completed_at=m.completed_at,
            model=m,
        )

    @strawberry.field(description="The ZIP, once COMPLETED (a signed URL that serves ranges).")
    async def asset(self, info: strawberry.Info) -> Asset | None:
        return await load_asset(info, self.model.asset_id)


@strawberry.input(description="A render of every job of the bundle (aspect ratio: the job's own).")
class BundleRenderInput:
    format: VideoFormat = VideoFormat.MP4
    resolution: Resolution = Resolution.P1080
    aspect_ratio: AspectRatio | None = None
    captions: bool | None = strawberry.field(
        default=None,
        description="Burn the captions in (true) or not (false). Default: as each job.",
    )


@strawberry.input
class ExportBundleInput:
    job_ids: list[strawberry.ID]
    renders: list[BundleRenderInput]
    captions: bool = strawberry.field(default=False, description="Add SubRip and WebVTT files.")


@strawberry.type
class BundlePayload:
    bundle: Bundle | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


__all__ = [
    "Bundle",
    "BundleError",
    "BundlePayload",
    "BundleRenderInput",
    "BundleStatus",
    "ExportBundleInput",
]
