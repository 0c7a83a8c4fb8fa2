"""Optional OpenTelemetry tracing (``pip install adreel[otel]``), off unless configured.

Tracing is on when ``ADREEL_TRACING=true`` or an OTLP endpoint is set in the standard
``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` variables; spans go to
the OTLP/HTTP exporter, which reads the rest of its ``OTEL_*`` configuration itself. Without the
extra installed every helper here is a no-op, so the code paths stay the same.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import logging
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from domain.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

SpanKindName = Literal["internal", "producer", "consumer", "client", "server"]
_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
#: The task keyword argument that carries the trace context through a queue (arq).
TRACE_KWARG = "_trace"


def installed() -> bool:
    """Whether the ``otel`` extra is installed."""
    return importlib.util.find_spec("opentelemetry.sdk") is not None


def wanted(settings: Settings) -> bool:
    """Whether the settings or the ``OTEL_*`` environment ask for tracing."""
    return settings.tracing or any(os.environ.get(name) for name in _ENDPOINT_VARIABLES)


def enabled(settings: Settings) -> bool:
    """Tracing is asked for and possible (a request without the extra is logged once)."""
    if not wanted(settings):
        return False
    if installed():
        return True
    if settings.tracing:
        raise RuntimeError("ADREEL_TRACING needs the otel extra: pip install 'adreel[otel]'")
    log.warning("OTEL_* is set but the otel extra is not installed: tracing stays off")
    return False


def setup(settings: Settings, service: str) -> bool:
    """Install the process's tracer provider (OTLP over HTTP) when tracing is enabled; returns
    whether tracing is on. A provider already installed (by a test or an agent) is kept."""
    if not enabled(settings):
        return False
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return True
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = os.environ.get("OTEL_SERVICE_NAME") or service
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return True


def instrument_engine(engine: AsyncEngine) -> None:
    """Give every SQL statement of ``engine`` a span (the SQLAlchemy instrumentation, attached
    to this engine alone: each container has its own)."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter
    from opentelemetry.trace import get_tracer

    usage = get_meter("adreel.sql").create_up_down_counter("db.client.connections.usage")
    EngineTracer(  # type: ignore[no-untyped-call]
        get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage
    )


@functools.cache
def _active() -> bool:
    return importlib.util.find_spec("opentelemetry") is not None


@contextlib.contextmanager
def span(name: str, kind: SpanKindName = "internal", **attributes: Any) -> Iterator[None]:
    """A span around the block (a no-op without the extra or a tracer provider)."""
    if not _active():
        yield
        return
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind

    tracer = trace.get_tracer("adreel")
    clean = {k: v for k, v in attributes.items() if v is not None}
    with tracer.start_as_current_span(name, kind=SpanKind[kind.upper()], attributes=clean):
        yield


def inject() -> dict[str, str]:
    """The current trace context as headers (empty without a trace)."""
    carrier: dict[str, str] = {}
    if _active():
        from opentelemetry import propagate

        propagate.inject(carrier)
    return carrier


@contextlib.contextmanager
def continued(carrier: Mapping[str, str] | None) -> Iterator[None]:
    """Run the block inside the trace context ``carrier`` came from (see :func:`inject`)."""
    if not carrier or not _active():
        yield
        return
    from opentelemetry import context, propagate

    token = context.attach(propagate.extract(dict(carrier)))
    try:
        yield
    finally:
        context.detach(token)


__all__ = [
    "TRACE_KWARG",
    "continued",
    "enabled",
    "inject",
    "installed",
    "instrument_engine",
    "setup",
    "span",
    "wanted",
]
