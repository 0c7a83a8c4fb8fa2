"""The ``exportBundle`` mutation."""

from __future__ import annotations

import strawberry

from domain.enums import AspectRatio, Resolution, VideoFormat
from domain.services.bundles.requests import RenderShape, export_bundle
from resolvers.context import context_of
from resolvers.mutations import in_transaction
from resolvers.payloads import user_errors_as
from schema.ids import decode_id
from schema.types.bundles import Bundle, BundlePayload, ExportBundleInput


@strawberry.type
class BundleMutations:
    @strawberry.mutation(
        description="One ZIP of the jobs' renders (made first when missing), their caption files "
        "and a manifest.json; poll the Bundle until it is COMPLETED."
    )
    @user_errors_as(BundlePayload)
    async def export_bundle(self, info: strawberry.Info, input: ExportBundleInput) -> BundlePayload:
        ctx = context_of(info)
        job_ids = [decode_id(j, "Job", f"jobIds.{i}") for i, j in enumerate(input.job_ids)]
        shapes = [
            RenderShape(
                VideoFormat(r.format.value),
                Resolution(r.resolution.value),
                AspectRatio(r.aspect_ratio.value) if r.aspect_ratio else None,
                r.captions,
            )
            for r in input.renders
        ]
        row = await in_transaction(
            ctx,
            lambda s: export_bundle(
                s,
                ctx.org_id,
                job_ids,
                shapes,
                captions=input.captions,
                max_files=ctx.container.settings.bundle_max_files,
            ),
        )
        return BundlePayload(bundle=Bundle.from_model(row))


__all__ = ["BundleMutations"]
