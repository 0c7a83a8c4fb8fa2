"""A separate metrics listener (``ADREEL_METRICS_PORT``): prometheus_client's HTTP server in a
thread, for a port or bind address apart from the API (and for ``adreel worker``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from threading import Thread
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.observability.exposition import SnapshotCollector, process_registry, take_snapshot

#: How long a scrape waits for the database figures.
SNAPSHOT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class LiveFigures:
    """Where the scrape-time figures come from: the event loop that owns the connections."""

    loop: asyncio.AbstractEventLoop
    session_factory: async_sessionmaker[AsyncSession]
    queue: object | None = None


class _Combined(Collector):
    """The process (or multi-process) metrics, and the live figures when given."""

    def __init__(self, live: LiveFigures | None) -> None:
        self.live = live

    def collect(self) -> Iterator[Metric]:
        yield from process_registry().collect()
        if self.live is not None:
            future = asyncio.run_coroutine_threadsafe(
                take_snapshot(self.live.session_factory, self.live.queue), self.live.loop
            )
            yield from SnapshotCollector(future.result(SNAPSHOT_TIMEOUT)).collect()


@dataclass(slots=True)
class MetricsListener:
    """A running listener; :meth:`close` stops it."""

    server: WSGIServer
    thread: Thread

    @property
    def port(self) -> int:
        """The port it listens on (useful when asked for port 0)."""
        return int(self.server.server_address[1])

    def close(self) -> None:
        """Stop serving and release the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_listener(host: str, port: int, live: LiveFigures | None = None) -> MetricsListener:
    """Serve ``/metrics`` (any path, in fact) on ``host:port`` from a background thread."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Combined(live))
    server, thread = start_http_server(port, addr=host, registry=registry)
    return MetricsListener(server, thread)


__all__ = ["LiveFigures", "MetricsListener", "start_listener"]
