"""Wiring of adapters from settings: one ``Container`` per process (server, worker, CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.adapters.db import SessionFactory, create_engine, create_session_factory
from domain.adapters.migrate import upgrade
from domain.adapters.storage import build_storage
from domain.ports.bus import EventBus
from domain.ports.queue import TaskQueue
from domain.ports.storage import Storage
from domain.settings import Settings


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


@dataclass
class Container:
    """Everything a request or a task needs, built once per process."""

    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    storage: Storage
    bus: EventBus
    queue: TaskQueue | None = None
    extras: dict[str, Any] = field(default_factory=dict)

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


async def build_container(settings: Settings, *, migrate: bool = False) -> Container:
    """Create the engine, storage and bus; optionally apply migrations first."""
    settings.ensure_dirs()
    engine = create_engine(settings.resolved_database_url)
    if migrate:
        await upgrade(engine)
    return Container(
        settings=settings,
        engine=engine,
        session_factory=create_session_factory(engine),
        storage=build_storage(settings),
        bus=build_bus(settings),
    )
