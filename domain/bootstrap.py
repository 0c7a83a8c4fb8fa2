"""The one place adapters are wired: settings in, a typed ``Container`` out, one per process.

The server, the arq worker, the embedded runner, the demo and the CLI all call
:func:`build_container`; tests pass keyword overrides (``providers=``, ``fetcher=``, ``queue=``)
or swap a field of the built container. The task functions live in ``tasks``, above the domain,
so the embedded queue receives them as the ``tasks`` argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.adapters.assets import build_asset_deps, build_fetcher
from domain.adapters.db import SessionFactory, create_engine, create_session_factory
from domain.adapters.fetch import UrlFetcher
from domain.adapters.migrate import upgrade
from domain.adapters.pipeline import build_media, build_prices, build_providers
from domain.adapters.storage import build_storage
from domain.models import Job
from domain.observability import tracing
from domain.ports.bus import EventBus
from domain.ports.media import MediaEngine
from domain.ports.queue import DELIVER_WEBHOOK, TaskFunction, TaskQueue
from domain.ports.ratelimit import RateLimiter
from domain.ports.storage import Storage
from domain.rules.pricing import PriceTable
from domain.services.assets import AssetDeps
from domain.services.event_history import JobProgress
from domain.services.event_stream import SharedLoads
from domain.services.pipeline.context import PipelineDeps
from domain.services.pipeline.lease import new_owner_id
from domain.services.pipeline.providers import ProviderRegistry
from domain.services.webhooks.deps import WebhookDeps
from domain.settings import Settings


@dataclass(eq=False)
class Container:
    """Everything a request or a task needs, built once per process by :func:`build_container`.

    ``queue`` is None in a process that runs no background work (a CLI key command, a test of a
    service); ``lease_owner`` names this process's stage leases (each run adds a suffix);
    ``job_loads`` and ``progress_loads`` let the subscriptions of this process share one load
    of a job, and one read of its progress, per event.
    """

    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    storage: Storage
    bus: EventBus
    media: MediaEngine
    prices: PriceTable
    fetcher: UrlFetcher
    providers: ProviderRegistry
    assets: AssetDeps
    lease_owner: str
    queue: TaskQueue | None = None
    job_loads: SharedLoads[Job] = field(default_factory=SharedLoads)
    progress_loads: SharedLoads[JobProgress] = field(default_factory=SharedLoads)

    @property
    def pipeline(self) -> PipelineDeps:
        """What the pipeline stages need, read off this container's adapters (nothing cached,
        so a swapped field, such as the queue the server attaches, is never stale)."""
        return PipelineDeps(
            settings=self.settings,
            session_factory=self.session_factory,
            storage=self.storage,
            bus=self.bus,
            queue=self.queue,
            media=self.media,
            providers=self.providers,
        )

    @property
    def webhooks(self) -> WebhookDeps:
        """What webhook delivery needs (the URL-import fetcher sends; read off this container)."""
        return WebhookDeps(
            settings=self.settings,
            session_factory=self.session_factory,
            sender=self.fetcher,
            queue=self.queue,
        )

    async def start(self) -> None:
        """Start background parts (bus connections, queue)."""
        await self.bus.start()
        if self.queue is not None:
            await self.queue.start()

    async def close(self) -> None:
        """Stop background parts and release connections."""
        if self.queue is not None:
            await self.queue.stop()
        await self.bus.stop()
        await self.storage.aclose()
        await self.engine.dispose()


def build_bus(settings: Settings) -> EventBus:
    """In-memory bus by default; Redis pub/sub when ``ADREEL_REDIS_URL`` is set."""
    if settings.redis_url:
        from domain.adapters.bus.redis import RedisEventBus

        return RedisEventBus(
            settings.redis_url,
            subscriber_queue=settings.bus_subscriber_queue,
            channel_prefix=settings.bus_channel_prefix,
        )
    from domain.adapters.bus.memory import MemoryEventBus

    return MemoryEventBus(subscriber_queue=settings.bus_subscriber_queue)


def queue_routes(settings: Settings) -> dict[str, str]:
    """Tasks that have an arq queue of their own: webhook deliveries (``<queue>:webhooks``)."""
    from domain.adapters.queue.arq import webhook_queue_name

    return {DELIVER_WEBHOOK: webhook_queue_name(settings.queue_name)}


def build_queue(container: Container, tasks: Mapping[str, TaskFunction]) -> TaskQueue:
    """arq on Redis when ``ADREEL_REDIS_URL`` is set (``adreel worker`` processes run the tasks);
    else the embedded runner, which calls ``tasks[name]({"container": container}, **kwargs)``
    (webhook deliveries in a lane of their own, so a slow endpoint never holds up a stage)."""
    settings = container.settings
    if settings.redis_url:
        from domain.adapters.queue.arq import ArqQueue

        return ArqQueue(settings.redis_url, settings.queue_name, routes=queue_routes(settings))
    from domain.adapters.queue.embedded import EmbeddedQueue

    return EmbeddedQueue(
        tasks,
        {"container": container},
        concurrency=settings.runner_concurrency,
        lanes={DELIVER_WEBHOOK: settings.webhook_concurrency},
    )


def build_rate_limiter(settings: Settings) -> RateLimiter:
    """Per-key limits shared through Redis when configured, else kept in memory (the API
    builds one per app lifespan and closes it when the app stops)."""
    from domain.adapters.ratelimit import MemoryRateLimiter, RedisRateLimiter

    if settings.redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        return RedisRateLimiter(client)
    return MemoryRateLimiter()


async def build_container(
    settings: Settings,
    *,
    migrate: bool = False,
    tasks: Mapping[str, TaskFunction] | None = None,
    queue: TaskQueue | None = None,
    providers: ProviderRegistry | None = None,
    fetcher: UrlFetcher | None = None,
    owner_kind: str = "embedded",
) -> Container:
    """Build every adapter from ``settings``; optionally apply migrations first.

    ``tasks`` (the task function table of ``tasks.registry``) gives the container its queue
    (:func:`build_queue`); ``queue`` passes one instead (a worker shares arq's pool); with
    neither the container has no queue. ``providers`` and ``fetcher`` replace the ones built
    from the settings (fakes in tests). ``owner_kind`` prefixes the lease owner
    (``embedded`` or ``worker``).
    """
    settings.ensure_dirs()
    engine = create_engine(settings.resolved_database_url)
    if tracing.enabled(settings):
        tracing.instrument_engine(engine)
    if migrate:
        await upgrade(engine)
    storage = build_storage(settings)
    media = build_media(settings)
    prices = build_prices(settings)
    fetcher = fetcher or build_fetcher(settings)
    container = Container(
        settings=settings,
        engine=engine,
        session_factory=create_session_factory(engine),
        storage=storage,
        bus=build_bus(settings),
        media=media,
        prices=prices,
        fetcher=fetcher,
        providers=providers or build_providers(settings, media, prices, fetcher),
        assets=build_asset_deps(settings, storage),
        lease_owner=new_owner_id(owner_kind),
        queue=queue,
    )
    if queue is None and tasks is not None:
        container.queue = build_queue(container, tasks)
    return container


__all__ = [
    "Container",
    "build_bus",
    "build_container",
    "build_queue",
    "build_rate_limiter",
    "queue_routes",
]
