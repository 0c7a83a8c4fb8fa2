"""Clients, campaigns and their stats."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain import models
from domain.errors import Invalid
from domain.services.clients import Stats
from domain.services.jobs import status_filter
from domain.services.pagination import Page, PageRequest
from schema.enums import AssetKind, AssetRole, CampaignStatus, JobStatus
from schema.errors import UserError
from schema.ids import encode_id
from schema.page_arguments import paged_field, selected_page
from schema.pagination import Connection, connection
from schema.prefetch import node_fields, settle, settled
from schema.types.assets import Asset, asset_filters
from schema.types.cost import usd
from schema.types.node import Node
from schema.types.row_fields import RowFields

if TYPE_CHECKING:
    from schema.types.jobs import Job


@strawberry.type
class ClientStats:
    campaign_count: int
    job_count: int
    completed_job_count: int
    failed_job_count: int
    estimated_cost_usd: float
    actual_cost_usd: float
    rendered_seconds: float

    @classmethod
    def from_stats(cls, s: Stats) -> ClientStats:
        return cls(
            campaign_count=s.campaign_count,
            job_count=s.job_count,
            completed_job_count=s.completed_job_count,
            failed_job_count=s.failed_job_count,
            estimated_cost_usd=usd(s.estimated_cost_usd),
            actual_cost_usd=usd(s.actual_cost_usd),
            rendered_seconds=s.rendered_seconds,
        )


@strawberry.type
class CampaignStats:
    job_count: int
    completed_job_count: int
    failed_job_count: int
    estimated_cost_usd: float
    actual_cost_usd: float
    rendered_seconds: float

    @classmethod
    def from_stats(cls, s: Stats) -> CampaignStats:
        return cls(
            job_count=s.job_count,
            completed_job_count=s.completed_job_count,
            failed_job_count=s.failed_job_count,
            estimated_cost_usd=usd(s.estimated_cost_usd),
            actual_cost_usd=usd(s.actual_cost_usd),
            rendered_seconds=s.rendered_seconds,
        )


@strawberry.type(description="A brand served by the organization.")
class Client(Node, RowFields):
    name: str
    website: str | None
    industry: str | None
    brand_colors: list[str]
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Client]

    ROW_FIELDS = {
        "id": lambda m: encode_id("Client", m.id),
        "name": attrgetter("name"),
        "website": attrgetter("website"),
        "industry": attrgetter("industry"),
        "brand_colors": lambda m: list(m.brand_colors),
        "created_at": attrgetter("created_at"),
        "updated_at": attrgetter("updated_at"),
    }

    @classmethod
    def from_model(cls, m: models.Client) -> Client:
        return cls.of(m)

    @paged_field(graphql_type="Connection[Campaign]")
    def campaigns(
        self,
        info: strawberry.Info,
        page: PageRequest,
    ) -> Connection[Campaign] | Awaitable[Connection[Campaign]]:
        loader = info.context.loaders.pages_by_parent(models.Campaign, "client_id", page)
        return settled(loader.load(self.model.id), _campaign_connection)

    @paged_field(description="The client's assets, oldest first.")
    async def assets(
        self,
        info: strawberry.Info,
        page: PageRequest,
        kind: AssetKind | None = None,
        role: AssetRole | None = None,
    ) -> Connection[Asset]:
        extra = asset_filters(kind, role)
        loader = info.context.loaders.pages_by_parent(
            models.Asset, "client_id", page, extra=extra, filter_key=(kind, role)
        )
        return connection(await loader.load(self.model.id), Asset.from_model)

    @strawberry.field(graphql_type=ClientStats)
    def stats(self, info: strawberry.Info) -> ClientStats | Awaitable[ClientStats]:
        loader = info.context.loaders.client_stats()
        return settled(loader.load(self.model.id), ClientStats.from_stats)


def _campaign_connection(page: Page[models.Campaign]) -> Connection[Campaign]:
    return connection(page, Campaign.from_model)


async def prime_clients(info: strawberry.Info, rows: Sequence[models.Client]) -> None:
    """Load the ``campaigns`` and ``stats`` selected on a page of clients, one batch each and
    in document order, as the nodes' own loads would, and settle those fields with what loaded
    (see ``schema.prefetch``)."""
    ids = [row.id for row in rows]
    if not ids:
        return
    loaders = info.context.loaders
    for node, field in node_fields(info):
        loaders.answers.pop(id(node), None)  # settled again below, or answered by its resolver
        load: Awaitable[Sequence[Any]]
        convert: Callable[[Any], Any]
        if field.name == "campaigns":
            try:
                page = selected_page(field)
            except Invalid:
                continue  # the field itself reports it
            load = loaders.pages_by_parent(models.Campaign, "client_id", page).load_many(ids)
            convert = _campaign_connection
        elif field.name == "stats":
            load, convert = loaders.client_stats().load_many(ids), ClientStats.from_stats
        else:
            continue
        try:
            values = await load
        except Exception:  # noqa: S112 - a failed load fails the fields that read it
            continue
        settle(loaders.answers, node, ids, values, convert)


@strawberry.type(description="A campaign of a client: jobs and assets belong to it.")
class Campaign(Node, RowFields):
    name: str
    objective: str | None
    status: CampaignStatus
    budget_usd: float | None
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Campaign]

    ROW_FIELDS = {
        "id": lambda m: encode_id("Campaign", m.id),
        "name": attrgetter("name"),
        "objective": attrgetter("objective"),
        "status": attrgetter("status"),
        "budget_usd": lambda m: usd(m.budget_usd) if m.budget_usd is not None else None,
        "created_at": attrgetter("created_at"),
        "updated_at": attrgetter("updated_at"),
    }

    @classmethod
    def from_model(cls, m: models.Campaign) -> Campaign:
        return cls.of(m)

    @strawberry.field
    async def client(self, info: strawberry.Info) -> Client:
        row = await info.context.loaders.client().load(self.model.client_id)
        assert row is not None
        return Client.from_model(row)

    @paged_field(description="The campaign's assets, oldest first.")
    async def assets(
        self,
        info: strawberry.Info,
        page: PageRequest,
        kind: AssetKind | None = None,
        role: AssetRole | None = None,
    ) -> Connection[Asset]:
        extra = asset_filters(kind, role)
        loader = info.context.loaders.pages_by_parent(
            models.Asset, "campaign_id", page, extra=extra, filter_key=(kind, role)
        )
        return connection(await loader.load(self.model.id), Asset.from_model)

    @paged_field(description="The campaign's jobs, oldest first.")
    async def jobs(
        self,
        info: strawberry.Info,
        page: PageRequest,
        status: list[JobStatus] | None = None,
    ) -> Connection[Annotated[Job, strawberry.lazy("schema.types.jobs")]]:
        from schema.types.jobs import Job

        extra = status_filter(tuple(sorted({JobStatus(x) for x in status}))) if status else None
        loader = info.context.loaders.pages_by_parent(
            models.Job, "campaign_id", page, extra=extra, filter_key=tuple(sorted(status or []))
        )
        return connection(await loader.load(self.model.id), Job.from_model)

    @strawberry.field
    async def stats(self, info: strawberry.Info) -> CampaignStats:
        stats = await info.context.loaders.campaign_stats().load(self.model.id)
        return CampaignStats.from_stats(stats)


@strawberry.input
class CreateClientInput:
    name: str
    website: str | None = None
    industry: str | None = None
    brand_colors: list[str] | None = None


@strawberry.input
class UpdateClientInput:
    client_id: strawberry.ID
    name: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    industry: str | None = strawberry.UNSET
    brand_colors: list[str] | None = strawberry.UNSET


@strawberry.input
class DeleteClientInput:
    client_id: strawberry.ID


@strawberry.type
class ClientPayload:
    client: Client | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteClientPayload:
    deleted_client_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateCampaignInput:
    client_id: strawberry.ID
    name: str
    objective: str | None = None
    status: CampaignStatus = CampaignStatus.DRAFT
    budget_usd: float | None = None


@strawberry.input
class UpdateCampaignInput:
    campaign_id: strawberry.ID
    name: str | None = strawberry.UNSET
    objective: str | None = strawberry.UNSET
    status: CampaignStatus | None = strawberry.UNSET
    budget_usd: float | None = strawberry.UNSET


@strawberry.input
class DeleteCampaignInput:
    campaign_id: strawberry.ID


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteCampaignPayload:
    deleted_campaign_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
