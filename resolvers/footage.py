"""Mutations for uploaded footage in scenes."""

from __future__ import annotations

import strawberry

from domain.services import jobs as service
from resolvers.context import context_of
from resolvers.mutations import in_transaction
from resolvers.payloads import user_errors_as
from schema.ids import decode_id
from schema.types.job_inputs import ReplaceSceneClipInput
from schema.types.job_payloads import ScenePayload
from schema.types.jobs import Job
from schema.types.scenes import Scene


@strawberry.type
class FootageMutations:
    """``replaceSceneClip``."""

    @strawberry.mutation(
        description="Cut a scene's clip from an uploaded video instead of generating it; only "
        "the composition is made again (regenerateScene returns to a generated clip)."
    )
    @user_errors_as(ScenePayload)
    async def replace_scene_clip(
        self, info: strawberry.Info, input: ReplaceSceneClipInput
    ) -> ScenePayload:
        ctx = context_of(info)
        key = decode_id(input.scene_id, "Scene", "sceneId")
        asset = decode_id(input.asset_id, "Asset", "assetId")
        row = await in_transaction(
            ctx,
            lambda s: service.replace_scene_clip(
                s, ctx.org_id, key, asset, input.trim_start_seconds, prices=ctx.container.prices
            ),
        )
        job = await service.get_job(ctx.session, ctx.org_id, row.job_id)
        return ScenePayload(scene=Scene.from_model(row), job=Job.from_model(job))


__all__ = ["FootageMutations"]
