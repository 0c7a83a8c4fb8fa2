"""Every Prometheus metric Adreel exports, and the small helpers that record them.

The metrics are created on first use (nothing at import time) in the process's default registry.
With ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts) prometheus_client keeps the
values in files there, so the API's ``/metrics`` adds up every process sharing the directory
(see docs/operations.md#metrics).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from prometheus_client import Counter, Gauge, Histogram

#: Latency buckets for requests and operations (seconds).
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Buckets for pipeline stages and FFmpeg runs (seconds).
WORK_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
#: Distinct operation names one process labels before the rest count as ``other``.
MAX_OPERATION_NAMES = 500


@dataclass(frozen=True, slots=True)
class Metrics:
    """The metric objects (one set per process)."""

    http_requests: Counter
    http_duration: Histogram
    graphql_operations: Counter
    graphql_duration: Histogram
    websockets_open: Gauge
    subscriptions_active: Gauge
    stage_runs: Counter
    stage_duration: Histogram
    lease_expiries: Counter
    enqueued: Counter
    provider_requests: Counter
    provider_calls: Counter
    provider_cost: Counter
    ffmpeg_runs: Counter
    ffmpeg_seconds: Histogram
    uploads: Counter
    upload_bytes: Counter
    webhook_deliveries: Counter


@functools.cache
def metrics() -> Metrics:
    """This process's metrics, created on first use."""
    return Metrics(
        http_requests=Counter(
            "adreel_http_requests",
            "HTTP requests answered, by method, route and status code",
            ["method", "route", "status"],
        ),
        http_duration=Histogram(
            "adreel_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route",
            ["method", "route"],
            buckets=REQUEST_BUCKETS,
        ),
        graphql_operations=Counter(
            "adreel_graphql_operations",
            "GraphQL operations, by operation name, type and outcome (ok or the first error code)",
            ["operation", "type", "outcome"],
        ),
        graphql_duration=Histogram(
            "adreel_graphql_operation_duration_seconds",
            "Time to run a GraphQL query or mutation, by operation name and type",
            ["operation", "type"],
            buckets=REQUEST_BUCKETS,
        ),
        websockets_open=Gauge(
            "adreel_websockets_open",
            "WebSocket connections open now",
            multiprocess_mode="livesum",
        ),
        subscriptions_active=Gauge(
            "adreel_graphql_subscriptions_active",
            "GraphQL subscriptions streaming now (WebSocket and HTTP)",
            multiprocess_mode="livesum",
        ),
        stage_runs=Counter(
            "adreel_stage_runs",
            "Pipeline stage runs, by stage and outcome",
            ["stage", "outcome"],
        ),
        stage_duration=Histogram(
            "adreel_stage_duration_seconds",
            "Time a pipeline stage ran, by stage and outcome",
            ["stage", "outcome"],
            buckets=WORK_BUCKETS,
        ),
        lease_expiries=Counter(
            "adreel_lease_expiries",
            "Stage leases found expired by the sweeper (a runner died or stalled)",
        ),
        enqueued=Counter("adreel_tasks_enqueued", "Background tasks enqueued, by task", ["task"]),
        provider_requests=Counter(
            "adreel_provider_requests",
            "Requests sent to generation providers (each attempt), by provider and model",
            ["provider", "model"],
        ),
        provider_calls=Counter(
            "adreel_provider_calls",
            "Provider calls settled, by provider, model and outcome (succeeded or failed)",
            ["provider", "model", "outcome"],
        ),
        provider_cost=Counter(
            "adreel_provider_cost_usd",
            "Money spent on provider calls (US dollars), by provider and model",
            ["provider", "model"],
        ),
        ffmpeg_runs=Counter(
            "adreel_ffmpeg_runs",
            "FFmpeg runs, by outcome (ok, error, timeout, canceled)",
            ["outcome"],
        ),
        ffmpeg_seconds=Histogram(
            "adreel_ffmpeg_run_seconds",
            "Wall-clock seconds of FFmpeg runs (the sum is the FFmpeg time spent)",
            buckets=WORK_BUCKETS,
        ),
        uploads=Counter(
            "adreel_uploads", "Files received (uploads and URL imports), by route", ["route"]
        ),
        upload_bytes=Counter("adreel_upload_bytes", "Bytes of files received, by route", ["route"]),
        webhook_deliveries=Counter(
            "adreel_webhook_deliveries",
            "Webhook delivery attempts, by outcome (succeeded, failed)",
            ["outcome"],
        ),
    )


_seen_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    """A bounded label for a client-chosen operation name (``anonymous``, ``invalid``, ``other``)."""
    if not name:
        return "anonymous"
    if not _NAME.fullmatch(name):
        return "invalid"
    if name not in _seen_operations:
        if len(_seen_operations) >= MAX_OPERATION_NAMES:
            return "other"
        _seen_operations.add(name)
    return name


def outcome_label(code: object) -> str:
    """``ok`` for no error, else an error code (``ERROR`` when it is not one)."""
    if code is None:
        return "ok"
    return code if isinstance(code, str) and _CODE.fullmatch(code) else "ERROR"


def record_stage(stage: str, outcome: str, seconds: float) -> None:
    """One pipeline stage task (a ``SKIPPED`` one, with nothing due, takes no duration)."""
    m = metrics()
    m.stage_runs.labels(stage, outcome).inc()
    if outcome != "SKIPPED":
        m.stage_duration.labels(stage, outcome).observe(seconds)


def record_provider_request(provider: str, model: str) -> None:
    """One request sent to a provider (an attempt of a call)."""
    metrics().provider_requests.labels(provider, model or "-").inc()


def record_provider_call(provider: str, model: str, outcome: str, cost_usd: Decimal) -> None:
    """A provider call settled (``succeeded`` with its price, or ``failed``)."""
    m = metrics()
    m.provider_calls.labels(provider, model or "-", outcome).inc()
    if cost_usd > 0:
        m.provider_cost.labels(provider, model or "-").inc(float(cost_usd))


def record_ffmpeg(outcome: str, seconds: float) -> None:
    """One FFmpeg run."""
    m = metrics()
    m.ffmpeg_runs.labels(outcome).inc()
    m.ffmpeg_seconds.observe(seconds)


def record_upload(route: str, size: int) -> None:
    """A file received whole (``graphql``, ``signed_put`` or ``url_import``)."""
    m = metrics()
    m.uploads.labels(route).inc()
    m.upload_bytes.labels(route).inc(max(0, size))


def record_webhook_delivery(succeeded: bool) -> None:
    """One webhook delivery attempt."""
    metrics().webhook_deliveries.labels("succeeded" if succeeded else "failed").inc()


def record_lease_expiries(count: int) -> None:
    """Leases the sweeper found expired."""
    if count:
        metrics().lease_expiries.inc(count)


def record_enqueued(task: str) -> None:
    """A task handed to the queue."""
    metrics().enqueued.labels(task).inc()


__all__ = [
    "MAX_OPERATION_NAMES",
    "Metrics",
    "metrics",
    "operation_label",
    "outcome_label",
    "record_enqueued",
    "record_ffmpeg",
    "record_lease_expiries",
    "record_provider_call",
    "record_provider_request",
    "record_stage",
    "record_upload",
    "record_webhook_delivery",
]
