"""OpenTelemetry tracing (the otel extra): a request and the stages it queues form one trace of
connected spans (HTTP, GraphQL, SQL, enqueue, stage, FFmpeg), caught by the SDK's in-memory
exporter."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from domain.bootstrap import Container, build_container
from domain.observability import tracing
from domain.settings import Settings
from tests.conftest import Api, new_key
from tests.support.pipeline import create_job, make_brand, rendering_settings, wait_for_job

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """The process's SDK tracer provider (installed once), exporting to memory."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    memory = InMemorySpanExporter()
    processor = SimpleSpanProcessor(memory)
    provider.add_span_processor(processor)
    yield memory
    processor.shutdown()


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, tracing=True)


@pytest.fixture
async def container(settings: Settings, exporter: InMemorySpanExporter) -> AsyncIterator[Container]:
    c = await build_container(settings, migrate=True)
    try:
        yield c
    finally:
        await c.close()


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    """Names of the span's parents, nearest first."""
    names: list[str] = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


def test_tracing_is_off_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert not tracing.enabled(Settings(env="test"))
    assert tracing.enabled(Settings(env="test", tracing=True))
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert tracing.enabled(Settings(env="test"))


async def test_a_request_and_its_stages_are_one_trace(
    container: Container, http: httpx.AsyncClient, exporter: InMemorySpanExporter, tmp_path: Path
) -> None:
    api = Api(http, await new_key(container, "traced"))
    brand = await make_brand(api, tmp_path / "kit", music_seconds=4.0)
    exporter.clear()
    job_id = await create_job(api, brand, durationSeconds=5.0, sceneCount=3)
    await wait_for_job(api, job_id, {"COMPLETED"}, timeout=420)
    # the job reads COMPLETED just before the last stage's span ends
    deadline = time.monotonic() + 30
    while not any(s.name == "stage RENDER" for s in exporter.get_finished_spans()):
        assert time.monotonic() < deadline, "the RENDER stage's span never ended"
        await asyncio.sleep(0.1)
    spans = list(exporter.get_finished_spans())
    by_id = {s.context.span_id: s for s in spans}

    stage = next(s for s in spans if s.name == "stage PLAN")
    assert stage.attributes is not None and stage.attributes["stage"] == "PLAN"
    trace_id = stage.context.trace_id
    in_trace = [s for s in spans if s.context.trace_id == trace_id]
    names = {s.name for s in in_trace}
    # the createJob request: an HTTP server span with the GraphQL operation under it
    root = next(s for s in in_trace if s.parent is None)
    assert root.kind is trace.SpanKind.SERVER and "POST" in root.name, root.name
    assert any(n.startswith("GraphQL Query") for n in names), names
    # the stage was queued by the request and ran under the enqueue span
    chain = ancestors(stage, by_id)
    assert chain[0] == "enqueue run_stage" and chain[-1] == root.name, chain
    # the next stage continues the same trace, from the stage that queued it
    render = next(s for s in in_trace if s.name == "stage RENDER")
    stages = [name for name in ancestors(render, by_id) if name.startswith("stage ")]
    assert stages == ["stage COMPOSE", "stage CLIPS", "stage STORYBOARD", "stage PLAN"], stages
    # SQL statements and FFmpeg runs are spans of this trace too
    sql = [s for s in in_trace if (s.attributes or {}).get("db.system") or "SELECT" in s.name]
    assert sql, names
    assert any("stage" in " ".join(ancestors(s, by_id)) for s in sql)
    ffmpeg = [ancestors(s, by_id) for s in in_trace if s.name == "ffmpeg"]
    assert any("stage CLIPS" in chain for chain in ffmpeg), names
    assert any("stage COMPOSE" in chain for chain in ffmpeg), names
    assert all(chain[-1] == root.name for chain in ffmpeg)


@pytest.fixture
async def app(container: Container, settings: Settings) -> AsyncIterator[Any]:
    from server import create_app

    application = create_app(settings, container)
    async with application.router.lifespan_context(application):
        yield application
