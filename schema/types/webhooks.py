"""Webhook endpoints, their deliveries and the per-attempt log; the webhook mutations' inputs
and payloads."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import models
from domain.rules.webhooks import parse_event_types
from domain.services.pagination import PageRequest, fetch_page
from domain.services.webhooks import queries
from schema.enums import WebhookDeliveryStatus, WebhookEventType
from schema.errors import UserError
from schema.ids import encode_id
from schema.page_arguments import paged_field
from schema.pagination import Connection, connection
from schema.types.node import Node


@strawberry.type(description="One HTTP attempt of a delivery.")
class WebhookAttempt:
    number: int
    at: datetime
    status_code: int | None = strawberry.field(description="The answer's HTTP status, if any.")
    latency_ms: int
    succeeded: bool
    response_snippet: str = strawberry.field(description="The answer's first 1 KB.")
    error: str | None

    @classmethod
    def from_model(cls, m: models.WebhookAttempt) -> WebhookAttempt:
        return cls(
            number=m.number,
            at=m.at,
            status_code=m.status_code,
            latency_ms=m.latency_ms,
            succeeded=m.succeeded,
            response_snippet=m.response_snippet,
            error=m.error,
        )


@strawberry.type(description="One message to one endpoint, retried until it is answered 2xx.")
class WebhookDelivery(Node):
    webhook_id: str = strawberry.field(
        description="The `webhook-id` header: the same on every retry and redelivery."
    )
    event_type: WebhookEventType
    status: WebhookDeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    created_at: datetime
    model: strawberry.Private[models.WebhookDelivery]

    @classmethod
    def from_model(cls, m: models.WebhookDelivery) -> WebhookDelivery:
        pending = m.status is WebhookDeliveryStatus.PENDING
        return cls(
            id=encode_id("WebhookDelivery", m.id),
            webhook_id=str(m.message_id),
            event_type=m.event_type,
            status=m.status,
            attempt_count=m.attempts,
            next_attempt_at=m.next_attempt_at if pending else None,
            delivered_at=m.delivered_at,
            last_error=m.last_error,
            created_at=m.created_at,
            model=m,
        )

    @strawberry.field(description="The exact JSON body signed and sent.")
    async def body(self, info: strawberry.Info) -> str:
        message = await queries.message_of(info.context.session, self.model.message_id)
        return message.body if message is not None else ""

    @strawberry.field(description="Every attempt, first first.")
    async def attempts(self, info: strawberry.Info) -> list[WebhookAttempt]:
        rows = await queries.attempts_of(info.context.session, self.model.id)
        return [WebhookAttempt.from_model(r) for r in rows]


@strawberry.type(description="A URL of the organization's that receives signed events.")
class WebhookEndpoint(Node):
    url: str
    description: str
    event_types: list[WebhookEventType]
    enabled: bool
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until then the secret before the last rotation signs beside the new one."
    )
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.WebhookEndpoint]

    @classmethod
    def from_model(cls, m: models.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=encode_id("WebhookEndpoint", m.id),
            url=m.url,
            description=m.description,
            event_types=parse_event_types(m.event_types),
            enabled=m.enabled,
            failing_since=m.failing_since,
            disabled_at=m.disabled_at,
            disabled_reason=m.disabled_reason,
            previous_secret_expires_at=m.previous_secret_expires_at,
            created_at=m.created_at,
            updated_at=m.updated_at,
            model=m,
        )

    @paged_field(description="The endpoint's deliveries, oldest first.")
    async def deliveries(
        self,
        info: strawberry.Info,
        page: PageRequest,
        status: WebhookDeliveryStatus | None = None,
    ) -> Connection[WebhookDelivery]:
        stmt = queries.deliveries_query(self.model.organization_id, self.model.id, status)
        rows = await fetch_page(info.context.session, stmt, models.WebhookDelivery, page)
        return connection(rows, WebhookDelivery.from_model)


@strawberry.input
class CreateWebhookEndpointInput:
    url: str
    event_types: list[WebhookEventType]
    description: str | None = None


@strawberry.input
class UpdateWebhookEndpointInput:
    endpoint_id: strawberry.ID
    url: str | None = strawberry.UNSET
    event_types: list[WebhookEventType] | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.input
class WebhookEndpointIdInput:
    endpoint_id: strawberry.ID


@strawberry.input
class RedeliverWebhookInput:
    delivery_id: strawberry.ID


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookSecretPayload:
    endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None, description="The `whsec_` signing secret: shown this once only."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_endpoint_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
