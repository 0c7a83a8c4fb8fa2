"""Queries and mutations for clients and campaigns."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.models import Campaign as CampaignModel
from domain.models import Client as ClientModel
from domain.services import clients as service
from domain.services.pagination import PageRequest, fetch_page
from resolvers.context import context_of
from resolvers.mutations import in_transaction
from resolvers.payloads import user_errors_as
from schema.enums import CampaignStatus
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
    prime_clients,
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
        await prime_clients(info, page.items)
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
        status: CampaignStatus | None = None,
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
    @user_errors_as(ClientPayload)
    async def create_client(self, info: strawberry.Info, input: CreateClientInput) -> ClientPayload:
        ctx = context_of(info)
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
        return ClientPayload(client=Client.from_model(row))

    @strawberry.mutation
    @user_errors_as(ClientPayload)
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
        key = decode_id(input.client_id, "Client", "clientId")
        row = await in_transaction(
            ctx, lambda s: service.update_client(s, ctx.org_id, key, changes)
        )
        return ClientPayload(client=Client.from_model(row))

    @strawberry.mutation(
        description="Delete a client; refused with INVALID_STATE while it has campaigns."
    )
    @user_errors_as(DeleteClientPayload)
    async def delete_client(
        self, info: strawberry.Info, input: DeleteClientInput
    ) -> DeleteClientPayload:
        ctx = context_of(info)
        key = decode_id(input.client_id, "Client", "clientId")
        await in_transaction(ctx, lambda s: service.delete_client(s, ctx.org_id, key))
        return DeleteClientPayload(deleted_client_id=encode_id("Client", key))

    @strawberry.mutation
    @user_errors_as(CampaignPayload)
    async def create_campaign(
        self, info: strawberry.Info, input: CreateCampaignInput
    ) -> CampaignPayload:
        ctx = context_of(info)
        client_key = decode_id(input.client_id, "Client", "clientId")
        row = await in_transaction(
            ctx,
            lambda s: service.create_campaign(
                s,
                ctx.org_id,
                client_id=client_key,
                name=input.name,
                objective=input.objective,
                status=CampaignStatus(input.status),
                budget_usd=input.budget_usd,
            ),
        )
        return CampaignPayload(campaign=Campaign.from_model(row))

    @strawberry.mutation
    @user_errors_as(CampaignPayload)
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
        key = decode_id(input.campaign_id, "Campaign", "campaignId")
        row = await in_transaction(
            ctx, lambda s: service.update_campaign(s, ctx.org_id, key, changes)
        )
        return CampaignPayload(campaign=Campaign.from_model(row))

    @strawberry.mutation(
        description="Delete a campaign; refused with INVALID_STATE once it has jobs."
    )
    @user_errors_as(DeleteCampaignPayload)
    async def delete_campaign(
        self, info: strawberry.Info, input: DeleteCampaignInput
    ) -> DeleteCampaignPayload:
        ctx = context_of(info)
        key = decode_id(input.campaign_id, "Campaign", "campaignId")
        await in_transaction(ctx, lambda s: service.delete_campaign(s, ctx.org_id, key))
        return DeleteCampaignPayload(deleted_campaign_id=encode_id("Campaign", key))
