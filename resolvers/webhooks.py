"""Queries and mutations for webhook endpoints and their deliveries."""

from __future__ import annotations

import strawberry

from domain.models import WebhookEndpoint as WebhookEndpointModel
from domain.services.pagination import PageRequest, fetch_page
from domain.services.webhooks import endpoints as service
from domain.services.webhooks.queries import endpoints_query
from resolvers.context import context_of
from resolvers.mutations import in_transaction
from resolvers.payloads import user_errors_as
from schema.ids import decode_id, encode_id
from schema.pagination import Connection, connection
from schema.types.webhooks import (
    CreateWebhookEndpointInput,
    DeleteWebhookEndpointPayload,
    RedeliverWebhookInput,
    UpdateWebhookEndpointInput,
    WebhookDelivery,
    WebhookDeliveryPayload,
    WebhookEndpoint,
    WebhookEndpointIdInput,
    WebhookEndpointPayload,
    WebhookSecretPayload,
)


def _given(value: object) -> object | None:
    return None if value is strawberry.UNSET else value


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="The organization's webhook endpoints, oldest first.")
    async def webhook_endpoints(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookEndpoint]:
        ctx = context_of(info)
        req = PageRequest.of(first, after, last, before)
        page = await fetch_page(ctx.session, endpoints_query(ctx.org_id), WebhookEndpointModel, req)
        return connection(page, WebhookEndpoint.from_model)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Add an endpoint (URLs are checked like URL imports); the payload shows "
        "its `whsec_` signing secret, this once only."
    )
    @user_errors_as(WebhookSecretPayload)
    async def create_webhook_endpoint(
        self, info: strawberry.Info, input: CreateWebhookEndpointInput
    ) -> WebhookSecretPayload:
        ctx = context_of(info)
        created = await in_transaction(
            ctx,
            lambda s: service.create_endpoint(
                s,
                ctx.container.fetcher,
                ctx.org_id,
                url=input.url,
                event_types=list(input.event_types),
                description=input.description,
            ),
        )
        return WebhookSecretPayload(
            endpoint=WebhookEndpoint.from_model(created.endpoint), secret=created.secret
        )

    @strawberry.mutation(
        description="Change an endpoint's URL, event types, description or whether it is "
        "enabled (enabling clears its failing streak)."
    )
    @user_errors_as(WebhookEndpointPayload)
    async def update_webhook_endpoint(
        self, info: strawberry.Info, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        ctx = context_of(info)
        key = decode_id(input.endpoint_id, "WebhookEndpoint", "endpointId")
        url, types = _given(input.url), _given(input.event_types)
        enabled, description = _given(input.enabled), _given(input.description)
        row = await in_transaction(
            ctx,
            lambda s: service.update_endpoint(
                s,
                ctx.container.fetcher,
                ctx.org_id,
                key,
                url=url if isinstance(url, str) else None,
                event_types=list(types) if isinstance(types, list) else None,
                enabled=enabled if isinstance(enabled, bool) else None,
                description=description if isinstance(description, str) else None,
            ),
        )
        return WebhookEndpointPayload(endpoint=WebhookEndpoint.from_model(row))

    @strawberry.mutation(description="Delete an endpoint with its deliveries.")
    @user_errors_as(DeleteWebhookEndpointPayload)
    async def delete_webhook_endpoint(
        self, info: strawberry.Info, input: WebhookEndpointIdInput
    ) -> DeleteWebhookEndpointPayload:
        ctx = context_of(info)
        key = decode_id(input.endpoint_id, "WebhookEndpoint", "endpointId")
        await in_transaction(ctx, lambda s: service.delete_endpoint(s, ctx.org_id, key))
        return DeleteWebhookEndpointPayload(deleted_endpoint_id=encode_id("WebhookEndpoint", key))

    @strawberry.mutation(
        description="A new signing secret (shown this once); the old one keeps signing beside "
        "it for the grace period (two signatures in `webhook-signature`)."
    )
    @user_errors_as(WebhookSecretPayload)
    async def rotate_webhook_secret(
        self, info: strawberry.Info, input: WebhookEndpointIdInput
    ) -> WebhookSecretPayload:
        ctx = context_of(info)
        key = decode_id(input.endpoint_id, "WebhookEndpoint", "endpointId")
        grace = ctx.container.settings.webhook_secret_grace_seconds
        rotated = await in_transaction(
            ctx, lambda s: service.rotate_secret(s, ctx.org_id, key, grace)
        )
        return WebhookSecretPayload(
            endpoint=WebhookEndpoint.from_model(rotated.endpoint), secret=rotated.secret
        )

    @strawberry.mutation(description="Send a `webhook.ping` message to the endpoint.")
    @user_errors_as(WebhookDeliveryPayload)
    async def ping_webhook_endpoint(
        self, info: strawberry.Info, input: WebhookEndpointIdInput
    ) -> WebhookDeliveryPayload:
        ctx = context_of(info)
        key = decode_id(input.endpoint_id, "WebhookEndpoint", "endpointId")
        row = await in_transaction(ctx, lambda s: service.ping_endpoint(s, ctx.org_id, key))
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_model(row))

    @strawberry.mutation(
        description="Deliver a message again (same `webhook-id` and body) as a new delivery."
    )
    @user_errors_as(WebhookDeliveryPayload)
    async def redeliver_webhook(
        self, info: strawberry.Info, input: RedeliverWebhookInput
    ) -> WebhookDeliveryPayload:
        ctx = context_of(info)
        key = decode_id(input.delivery_id, "WebhookDelivery", "deliveryId")
        row = await in_transaction(ctx, lambda s: service.redeliver(s, ctx.org_id, key))
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_model(row))
