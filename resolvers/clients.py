"""Queries and mutations for clients and campaigns."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.enums import CampaignStatus as CampaignStatusEnum
from domain.errors import DomainError
from domain.models import Campaign as CampaignModel
from domain.models import Client as ClientModel
from domain.services import clients as service
from domain.services.pagination import PageRequest, fetch_page
from resolvers.context import context_of
from resolvers.mutations import in_transaction
from schema.enums import CampaignStatus
from schema.errors import user_errors
from schema.ids import decode_id, encode_id
from schema.pagination import Connection, connection
from schema.types.clients import (
    Campaign,
    CampaignPayload,
    Client,
    ClientPayload,
    CreateCampaignInput,
    CreateClientInput,
    DeleteCampaignInput,
    DeleteCampaignPayload,
    DeleteClientInput,
    DeleteClientPayload,
    UpdateCampaignInput,
    UpdateClientInput,
)


def changes_of(input_: object, names: dict[str, str]) -> dict[str, Any]:
    """The fields a client actually sent (UNSET ones are left out), renamed for the service."""
    return {
        target: getattr(input_, source)
        for source, target in names.items()
        if getattr(input_, source) is not strawberry.UNSET
    }


@strawberry.type
class ClientQueries:
    @strawberry.field(description="The organization's clients, oldest first.")
    async def clients(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
    ) -> Connection[Client]:
        ctx = context_of(info)
        req = PageRequest.of(first, after, last, before)
        page = await fetch_page(
            ctx.session, service.clients_query(ctx.org_id, search), ClientModel, req
        )
        return connection(page, Client.from_model)

    @strawberry.field(description="The organization's campaigns, oldest first.")
    async def campaigns(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        client_id: strawberry.ID | None = None,
        status: CampaignStatus | None = None,  # type: ignore[valid-type]
    ) -> Connection[Campaign]:
        ctx = context_of(info)
        req = PageRequest.of(first, after, last, before)
        client_key = decode_id(client_id, "Client", "clientId") if client_id else None
        stmt = service.campaigns_query(ctx.org_id, client_key, status)
        page = await fetch_page(ctx.session, stmt, CampaignModel, req)
        return connection(page, Campaign.from_model)


@strawberry.type
class ClientMutations:
    @strawberry.mutation
    async def create_client(self, info: strawberry.Info, input: CreateClientInput) -> ClientPayload:
        ctx = context_of(info)
        try:
            row = await in_transaction(
                ctx,
                lambda s: service.create_client(
                    s,
                    ctx.org_id,
                    name=input.name,
                    website=input.website,
                    industry=input.industry,
                    brand_colors=input.brand_colors,
                ),
            )
        except DomainError as exc:
            return ClientPayload(user_errors=user_errors(exc))
        return ClientPayload(client=Client.from_model(row))

    @strawberry.mutation
    async def update_client(self, info: strawberry.Info, input: UpdateClientInput) -> ClientPayload:
        ctx = context_of(info)
        changes = changes_of(
            input,
            {
                "name": "name",
                "website": "website",
                "industry": "industry",
                "brand_colors": "brand_colors",
            },
        )
        try:
            key = decode_id(input.client_id, "Client", "clientId")
            row = await in_transaction(
                ctx, lambda s: service.update_client(s, ctx.org_id, key, changes)
            )
        except DomainError as exc:
            return ClientPayload(user_errors=user_errors(exc))
        return ClientPayload(client=Client.from_model(row))

    @strawberry.mutation(
        description="Delete a client; refused with INVALID_STATE while it has campaigns."
    )
    async def delete_client(
        self, info: strawberry.Info, input: DeleteClientInput
    ) -> DeleteClientPayload:
        ctx = context_of(info)
        try:
            key = decode_id(input.client_id, "Client", "clientId")
            await in_transaction(ctx, lambda s: service.delete_client(s, ctx.org_id, key))
        except DomainError as exc:
            return DeleteClientPayload(user_errors=user_errors(exc))
        return DeleteClientPayload(deleted_client_id=encode_id("Client", key))

    @strawberry.mutation
    async def create_campaign(
        self, info: strawberry.Info, input: CreateCampaignInput
    ) -> CampaignPayload:
        ctx = context_of(info)
        try:
            client_key = decode_id(input.client_id, "Client", "clientId")
            row = await in_transaction(
                ctx,
                lambda s: service.create_campaign(
                    s,
                    ctx.org_id,
                    client_id=client_key,
                    name=input.name,
                    objective=input.objective,
                    status=CampaignStatusEnum(input.status),
                    budget_usd=input.budget_usd,
                ),
            )
        except DomainError as exc:
            return CampaignPayload(user_errors=user_errors(exc))
        return CampaignPayload(campaign=Campaign.from_model(row))

    @strawberry.mutation
    async def update_campaign(
        self, info: strawberry.Info, input: UpdateCampaignInput
    ) -> CampaignPayload:
        ctx = context_of(info)
        changes = changes_of(
            input,
            {
                "name": "name",
                "objective": "objective",
                "status": "status",
                "budget_usd": "budget_usd",
            },
        )
        try:
            key = decode_id(input.campaign_id, "Campaign", "campaignId")
            row = await in_transaction(
                ctx, lambda s: service.update_campaign(s, ctx.org_id, key, changes)
            )
        except DomainError as exc:
            return CampaignPayload(user_errors=user_errors(exc))
        return CampaignPayload(campaign=Campaign.from_model(row))

    @strawberry.mutation(
        description="Delete a campaign; refused with INVALID_STATE once it has jobs."
    )
    async def delete_campaign(
        self, info: strawberry.Info, input: DeleteCampaignInput
    ) -> DeleteCampaignPayload:
        ctx = context_of(info)
        try:
            key = decode_id(input.campaign_id, "Campaign", "campaignId")
            await in_transaction(ctx, lambda s: service.delete_campaign(s, ctx.org_id, key))
        except DomainError as exc:
            return DeleteCampaignPayload(user_errors=user_errors(exc))
        return DeleteCampaignPayload(deleted_campaign_id=encode_id("Campaign", key))
