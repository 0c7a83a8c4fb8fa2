"""DataLoaders: one per relation, so nested queries cost a constant number of statements."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from domain.enums import AssetRole
from domain.models import Asset, Campaign, Client, Job, Render, Scene
from domain.models.base import Entity
from domain.services import clients as client_service
from domain.services import event_history
from domain.services.pagination import Page, PageRequest, fetch_pages_by_parent
from schema.prefetch import SettledAnswers

if TYPE_CHECKING:
    from resolvers.context import Context

E = TypeVar("E", bound=Entity)
K = TypeVar("K")
V = TypeVar("V")


class Loaders:
    """The loaders of one operation, created lazily by name (and page arguments)."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._loaders: dict[Any, DataLoader[Any, Any]] = {}
        #: Node fields a page settled from these loads (``schema.prefetch.settle``).
        self.answers: SettledAnswers = {}

    def _get(
        self, key: Any, batch: Callable[[list[K]], Awaitable[Sequence[V]]]
    ) -> DataLoader[K, V]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = DataLoader(load_fn=batch)
            self._loaders[key] = loader
        return loader

    def release(self) -> None:
        """Forget every loader and its cached loads. Each loader's batch function refers back to
        this object, so without this the set (and every row it loaded) would be a reference
        cycle left for the garbage collector: a full collection every few requests."""
        self._loaders.clear()
        self.answers.clear()

    def by_id(self, model: type[E]) -> DataLoader[uuid.UUID, E | None]:
        """Rows of ``model`` by key, scoped to the caller's organization."""

        async def batch(ids: list[uuid.UUID]) -> list[E | None]:
            ctx = self._ctx
            column: Any = model.id
            org_column: Any = getattr(model, "organization_id")  # noqa: B009
            rows = (
                await ctx.session.scalars(
                    select(model).where(column.in_(ids), org_column == ctx.org_id)
                )
            ).all()
            found = {row.id: row for row in rows}
            return [found.get(i) for i in ids]

        return self._get(("by_id", model), batch)

    def pages_by_parent(
        self,
        model: type[E],
        parent_column: str,
        req: PageRequest,
        *,
        extra: Any = None,
        filter_key: Hashable = None,
    ) -> DataLoader[uuid.UUID, Page[E]]:
        """One keyset page of ``model`` rows per parent key (two statements per batch).

        ``extra`` holds additional WHERE clauses; ``filter_key`` is a hashable value naming them
        (the filter arguments), so every parent asking for the same filter shares one batch.
        """
        if extra is not None and filter_key is None:
            raise ValueError("pass filter_key with extra so equal filters share one batch")

        async def batch(parent_ids: list[uuid.UUID]) -> list[Page[E]]:
            ctx = self._ctx
            org_column: Any = getattr(model, "organization_id")  # noqa: B009
            stmt = select(model).where(org_column == ctx.org_id)
            if extra is not None:
                stmt = stmt.where(*extra)
            pages = await fetch_pages_by_parent(
                ctx.session, stmt, model, parent_column, parent_ids, req
            )
            return [pages[p] for p in parent_ids]

        return self._get(("pages", model, parent_column, req, filter_key), batch)

    def client_stats(self) -> DataLoader[uuid.UUID, client_service.Stats]:
        """Aggregated stats per client."""

        async def batch(ids: list[uuid.UUID]) -> list[client_service.Stats]:
            stats = await client_service.client_stats(self._ctx.session, self._ctx.org_id, ids)
            return [stats[i] for i in ids]

        return self._get("client_stats", batch)

    def campaign_stats(self) -> DataLoader[uuid.UUID, client_service.Stats]:
        """Aggregated stats per campaign."""

        async def batch(ids: list[uuid.UUID]) -> list[client_service.Stats]:
            stats = await client_service.campaign_stats(self._ctx.session, self._ctx.org_id, ids)
            return [stats[i] for i in ids]

        return self._get("campaign_stats", batch)

    def job_events(self, after: int, limit: int) -> DataLoader[uuid.UUID, Page[Any]]:
        """One page of events per job, after sequence ``after`` (two statements per batch)."""

        async def batch(job_ids: list[uuid.UUID]) -> list[Page[Any]]:
            pages = await event_history.events_pages_by_job(
                self._ctx.session, self._ctx.org_id, job_ids, after, limit
            )
            return [pages[j] for j in job_ids]

        return self._get(("job_events", after, limit), batch)

    def job_scenes(self) -> DataLoader[uuid.UUID, list[Scene]]:
        """Each job's scenes in order (one statement per batch)."""

        async def batch(job_ids: list[uuid.UUID]) -> list[list[Scene]]:
            ctx = self._ctx
            rows = (
                await ctx.session.scalars(
                    select(Scene)
                    .where(Scene.job_id.in_(job_ids), Scene.organization_id == ctx.org_id)
                    .order_by(Scene.job_id, Scene.position, Scene.created_at, Scene.id)
                )
            ).all()
            found: dict[uuid.UUID, list[Scene]] = {j: [] for j in job_ids}
            for row in rows:
                found[row.job_id].append(row)
            return [found[j] for j in job_ids]

        return self._get("job_scenes", batch)

    def job_renders(self) -> DataLoader[uuid.UUID, list[Render]]:
        """Each job's renders, default output first (one statement per batch)."""

        async def batch(job_ids: list[uuid.UUID]) -> list[list[Render]]:
            ctx = self._ctx
            rows = (
                await ctx.session.scalars(
                    select(Render)
                    .where(Render.job_id.in_(job_ids), Render.organization_id == ctx.org_id)
                    .order_by(Render.is_default.desc(), Render.created_at, Render.id)
                )
            ).all()
            found: dict[uuid.UUID, list[Render]] = {j: [] for j in job_ids}
            for row in rows:
                found[row.job_id].append(row)
            return [found[j] for j in job_ids]

        return self._get("job_renders", batch)

    def job_caption_files(self) -> DataLoader[uuid.UUID, list[Asset]]:
        """Each job's caption files (SRT, then WebVTT; one statement per batch): the latest
        composition's (a composition made again after an edit writes new ones)."""

        async def batch(job_ids: list[uuid.UUID]) -> list[list[Asset]]:
            ctx = self._ctx
            rows = (
                await ctx.session.scalars(
                    select(Asset)
                    .where(
                        Asset.job_id.in_(job_ids),
                        Asset.organization_id == ctx.org_id,
                        Asset.role == AssetRole.CAPTIONS,
                    )
                    .order_by(Asset.filename, Asset.created_at.desc(), Asset.id)
                )
            ).all()
            found: dict[uuid.UUID, list[Asset]] = {j: [] for j in job_ids}
            for row in rows:
                if row.job_id is not None and all(
                    a.filename != row.filename for a in found[row.job_id]
                ):
                    found[row.job_id].append(row)
            return [found[j] for j in job_ids]

        return self._get("job_caption_files", batch)

    def job(self) -> DataLoader[uuid.UUID, Job | None]:
        return self.by_id(Job)

    def asset(self) -> DataLoader[uuid.UUID, Asset | None]:
        return self.by_id(Asset)

    def client(self) -> DataLoader[uuid.UUID, Client | None]:
        return self.by_id(Client)

    def campaign(self) -> DataLoader[uuid.UUID, Campaign | None]:
        return self.by_id(Campaign)
