"""``node``/``nodes`` and ``viewer``: fetch any object by its global ID, scoped to the caller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry

from domain import models
from domain.errors import DomainError, Invalid
from resolvers.context import Context, context_of
from schema.ids import decode_any
from schema.types.assets import Asset
from schema.types.batches import JobBatch, JobTemplate, VariantGroup
from schema.types.bundles import Bundle
from schema.types.clients import Campaign, Client
from schema.types.jobs import Job
from schema.types.node import Node
from schema.types.renders import Render
from schema.types.scenes import Scene
from schema.types.viewer import Organization, Quota, Viewer

#: type name -> (entity, converter). Each area registers its node types here.
NODE_TYPES: dict[str, tuple[type[Any], Callable[[Any], Node]]] = {
    "Client": (models.Client, Client.from_model),
    "Campaign": (models.Campaign, Campaign.from_model),
    "Asset": (models.Asset, Asset.from_model),
    "Job": (models.Job, Job.from_model),
    "Scene": (models.Scene, Scene.from_model),
    "Render": (models.Render, Render.from_model),
    "VariantGroup": (models.VariantGroup, VariantGroup.from_model),
    "JobTemplate": (models.JobTemplate, JobTemplate.from_model),
    "JobBatch": (models.JobBatch, JobBatch.from_model),
    "Bundle": (models.Bundle, Bundle.from_model),
}


async def load_node(ctx: Context, global_id: str) -> Node | None:
    """The object behind an ID, or ``None`` for unknown, foreign or malformed IDs."""
    try:
        type_name, key = decode_any(global_id)
    except DomainError:
        return None
    if type_name == "Organization":
        principal = ctx.principal
        if principal is None or key != principal.organization_id:
            return None
        return Organization.of(principal.organization_id, principal.organization_name)
    entry = NODE_TYPES.get(type_name)
    if entry is None:
        return None
    model, convert = entry
    row = await ctx.loaders.by_id(model).load(key)
    return convert(row) if row is not None else None


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="Any object by its global ID; null when it does not exist for you."
    )
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        return await load_node(context_of(info), id)

    @strawberry.field(
        description="Objects by global ID, in order; null for each that does not exist."
    )
    async def nodes(self, info: strawberry.Info, ids: list[strawberry.ID]) -> list[Node | None]:
        ctx = context_of(info)
        if len(ids) > 100:
            raise Invalid("at most 100 IDs at once", ["ids"])
        return list(await asyncio.gather(*(load_node(ctx, i) for i in ids)))

    @strawberry.field(description="The caller: organization, key and quota.")
    async def viewer(self, info: strawberry.Info) -> Viewer:
        ctx = context_of(info)
        principal = ctx.principal
        assert principal is not None
        settings = ctx.container.settings
        return Viewer(
            organization=Organization.of(principal.organization_id, principal.organization_name),
            key_name=principal.api_key_name,
            quota=Quota(
                rate_limit_per_minute=principal.rate_limit_per_minute
                or settings.rate_limit_per_minute,
            ),
        )
