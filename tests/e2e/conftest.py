"""A live API on a loopback port, with settings a test can adjust; worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from domain.bootstrap import build_container
from domain.ports.bus import EventBus
from domain.settings import Settings
from tests.support.live_server import Live, serve
from tests.support.pipeline import kill_pids, processes_mentioning, stop_worker

LiveFactory = Callable[..., Any]


@pytest.fixture
def live_api(database_url: str, data_dir: Path) -> LiveFactory:
    """``async with live_api(**settings) as live`` serves the API with those settings."""

    @asynccontextmanager
    async def start(
        bus: EventBus | None = None, send_buffer: int | None = None, **overrides: Any
    ) -> AsyncIterator[Live]:
        from server import create_app

        options: dict[str, Any] = {
            "env": "test",
            "data_dir": data_dir,
            "database_url": database_url,
            "redis_url": None,
        }
        options.update(overrides)
        settings = Settings(**options)
        container = await build_container(settings, migrate=True)
        if bus is not None:
            container.bus = bus
        try:
            app = create_app(settings, container)
            deflate = settings.ws_per_message_deflate
            async with serve(
                app, send_buffer=send_buffer, ws_per_message_deflate=deflate
            ) as base_url:
                yield Live(base_url, container)
        finally:
            await container.close()

    return start


@pytest.fixture
def workers(settings: Settings) -> Iterator[list[Any]]:
    """Worker subprocesses the test starts; all stopped (and their leftovers reaped) at the end."""
    started: list[Any] = []
    yield started
    for process in started:
        stop_worker(process)
    kill_pids(processes_mentioning(str(settings.data_dir)))
