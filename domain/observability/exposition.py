"""What a scrape of ``/metrics`` answers: this process's (or every process's) metrics plus the
figures read at scrape time (jobs by status, queue depth), in the Prometheus text format."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import JobStatus
from domain.models import Job
from domain.observability.metrics import metrics

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@runtime_checkable
class HasDepth(Protocol):
    """A queue that can tell how many tasks wait in it."""

    async def depth(self) -> int:
        """Tasks waiting (not yet running)."""
        ...


@dataclass(slots=True)
class Snapshot:
    """Figures read at scrape time."""

    jobs: dict[str, int] = field(default_factory=dict)
    database_up: bool = True
    queue_depth: int | None = None


class SnapshotCollector(Collector):
    """Exposes one :class:`Snapshot` as gauges."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily(
            "adreel_jobs", "Jobs by status (all organizations), read at scrape", labels=["status"]
        )
        for status, count in self.snapshot.jobs.items():
            jobs.add_metric([status], count)
        yield jobs
        yield GaugeMetricFamily(
            "adreel_database_up",
            "1 when the scrape could read the database",
            value=1 if self.snapshot.database_up else 0,
        )
        if self.snapshot.queue_depth is not None:
            yield GaugeMetricFamily(
                "adreel_queue_depth",
                "Background tasks waiting in the queue",
                value=self.snapshot.queue_depth,
            )


async def job_counts(session: AsyncSession) -> dict[str, int]:
    """Jobs per status across every organization (every status listed, zeros too)."""
    counts = {status.value: 0 for status in JobStatus}
    rows = await session.execute(select(Job.status, func.count()).group_by(Job.status))
    for status, count in rows.all():
        counts[JobStatus(status).value] = int(count)
    return counts


async def take_snapshot(
    session_factory: async_sessionmaker[AsyncSession], queue: object | None
) -> Snapshot:
    """Read the scrape-time figures; a database or queue that does not answer is reported,
    never raised (a scrape during an outage still answers)."""
    snapshot = Snapshot()
    try:
        async with session_factory() as session:
            snapshot.jobs = await job_counts(session)
    except Exception:
        log.warning("metrics: the database did not answer", exc_info=True)
        snapshot.database_up = False
    if isinstance(queue, HasDepth):
        try:
            snapshot.queue_depth = await queue.depth()
        except Exception:
            log.warning("metrics: the queue did not answer", exc_info=True)
    return snapshot


def multiprocess_dir() -> str | None:
    """The shared directory of multi-process mode, when set."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def process_registry() -> CollectorRegistry:
    """Every process's metrics in multi-process mode, else this process's."""
    metrics()  # every family is listed, even before its first sample
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def render(registries: Iterable[CollectorRegistry]) -> bytes:
    """The text format of several registries, one after the other."""
    return b"".join(generate_latest(registry) for registry in registries)


async def scrape(
    session_factory: async_sessionmaker[AsyncSession], queue: object | None = None
) -> bytes:
    """The whole answer to a scrape of the API."""
    extra = CollectorRegistry(auto_describe=True)
    extra.register(SnapshotCollector(await take_snapshot(session_factory, queue)))
    return render([process_registry(), extra])


__all__ = [
    "CONTENT_TYPE",
    "HasDepth",
    "Snapshot",
    "job_counts",
    "multiprocess_dir",
    "process_registry",
    "render",
    "scrape",
    "take_snapshot",
]
