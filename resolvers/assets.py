"""Queries and mutations for assets (the three ways in, listing, deletion)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import strawberry

from domain.errors import Invalid
from domain.models import Asset as AssetModel
from domain.observability.metrics import record_upload
from domain.ports.queue import IMPORT_ASSET
from domain.security.signing import UrlSigner
from domain.services import assets as service
from domain.services.pagination import PageRequest, fetch_page
from domain.services.unit_of_work import UnitOfWork
from resolvers.context import Context, context_of
from resolvers.payloads import user_errors_as
from schema.enums import AssetKind, AssetRole
from schema.ids import decode_id, encode_id
from schema.pagination import Connection, connection
from schema.types.assets import (
    Asset,
    AssetPayload,
    CreateAssetUploadInput,
    CreateAssetUploadPayload,
    DeleteAssetInput,
    DeleteAssetPayload,
    ImportAssetFromUrlInput,
    UploadAssetInput,
)


def _owner_ids(
    client_id: str | None, campaign_id: str | None
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    client = decode_id(client_id, "Client", "clientId") if client_id else None
    campaign = decode_id(campaign_id, "Campaign", "campaignId") if campaign_id else None
    return client, campaign


def _role(value: Any) -> AssetRole | None:
    return AssetRole(value) if value is not None else None


async def _upload_chunks(file: Any, size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    while chunk := await file.read(size):
        yield chunk


@strawberry.type
class AssetQueries:
    @strawberry.field(description="The organization's assets, oldest first.")
    async def assets(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        client_id: strawberry.ID | None = None,
        campaign_id: strawberry.ID | None = None,
        kind: AssetKind | None = None,
        role: AssetRole | None = None,
    ) -> Connection[Asset]:
        ctx = context_of(info)
        req = PageRequest.of(first, after, last, before)
        client, campaign = _owner_ids(client_id, campaign_id)
        stmt = service.assets_query(
            ctx.org_id,
            client_id=client,
            campaign_id=campaign,
            kind=AssetKind(kind) if kind is not None else None,
            role=_role(role),
        )
        page = await fetch_page(ctx.session, stmt, AssetModel, req)
        return connection(page, Asset.from_model)


@strawberry.type
class AssetMutations:
    @strawberry.mutation(
        description=(
            "Upload a file with a GraphQL multipart request. The request must carry the "
            "X-Adreel-Upload: 1 header (or apollo-require-preflight) so browsers cannot send it "
            "cross-site. Returns the READY asset, or the existing one when the client already "
            "has these exact bytes."
        )
    )
    @user_errors_as(AssetPayload, rollback=True)
    async def upload_asset(self, info: strawberry.Info, input: UploadAssetInput) -> AssetPayload:
        ctx = context_of(info)
        client, campaign = _owner_ids(input.client_id, input.campaign_id)
        UnitOfWork(ctx.session, bus=ctx.container.bus, queue=ctx.container.queue)
        result = await service.upload_asset(
            ctx.session,
            ctx.container.assets,
            org_id=ctx.org_id,
            client_id=client,
            campaign_id=campaign,
            role=_role(input.role),
            filename=getattr(input.file, "filename", None),
            chunks=_upload_chunks(input.file),
        )
        record_upload("graphql", result.asset.byte_size or 0)
        return AssetPayload(asset=Asset.from_model(result.asset), duplicate=result.duplicate)

    @strawberry.mutation(
        description=(
            "Create a PENDING asset and a signed, single-use URL that takes its raw bytes by "
            "PUT (exactly byteSize bytes) until expiresAt."
        )
    )
    @user_errors_as(CreateAssetUploadPayload, rollback=True)
    async def create_asset_upload(
        self, info: strawberry.Info, input: CreateAssetUploadInput
    ) -> CreateAssetUploadPayload:
        ctx = context_of(info)
        settings = ctx.container.settings
        client, campaign = _owner_ids(input.client_id, input.campaign_id)
        if input.byte_size != int(input.byte_size):
            raise Invalid("byteSize must be a whole number", ["byteSize"])
        row = await service.create_pending_asset(
            ctx.session,
            ctx.container.assets,
            org_id=ctx.org_id,
            client_id=client,
            campaign_id=campaign,
            role=_role(input.role),
            filename=input.filename,
            content_type=input.content_type,
            byte_size=int(input.byte_size),
        )
        nonce = await service.issue_upload_nonce(ctx.session, row)
        expires = int(time.time()) + settings.upload_url_ttl_seconds
        url = UrlSigner(settings.secret_key).upload_url(
            str(row.id), nonce, expires, base=ctx.base_url
        )
        return CreateAssetUploadPayload(
            asset=Asset.from_model(row),
            upload_url=url,
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    @strawberry.mutation(
        description=(
            "Import a file from an http(s) URL: returns a PENDING asset at once; the download "
            "runs in the background and the asset turns READY or FAILED (see its error)."
        )
    )
    @user_errors_as(AssetPayload, rollback=True)
    async def import_asset_from_url(
        self, info: strawberry.Info, input: ImportAssetFromUrlInput
    ) -> AssetPayload:
        ctx = context_of(info)
        ctx.container.fetcher.check_url(input.url)
        client, campaign = _owner_ids(input.client_id, input.campaign_id)
        row = await service.create_pending_asset(
            ctx.session,
            ctx.container.assets,
            org_id=ctx.org_id,
            client_id=client,
            campaign_id=campaign,
            role=_role(input.role),
            filename=input.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None,
            source_url=input.url,
        )
        await _enqueue_import(ctx, row.id)
        return AssetPayload(asset=Asset.from_model(row))

    @strawberry.mutation(
        description="Delete an asset and its stored files; INVALID_STATE while a job uses it."
    )
    @user_errors_as(DeleteAssetPayload, rollback=True)
    async def delete_asset(
        self, info: strawberry.Info, input: DeleteAssetInput
    ) -> DeleteAssetPayload:
        ctx = context_of(info)
        key = decode_id(input.asset_id, "Asset", "assetId")
        await service.delete_asset(ctx.session, ctx.container.storage, ctx.org_id, key)
        return DeleteAssetPayload(deleted_asset_id=encode_id("Asset", key))


async def _enqueue_import(ctx: Context, asset_id: uuid.UUID) -> None:
    queue = ctx.container.queue
    assert queue is not None, "the server wires a task queue before serving"
    await queue.enqueue(IMPORT_ASSET, key=service.import_task_key(asset_id), asset_id=str(asset_id))
