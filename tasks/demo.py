"""``adreel demo``: make a real ad end to end on the embedded default, with live progress.

Creates an organization, a client with brand colours, a campaign and sample brand assets (a logo,
two product shots and a music track, drawn and synthesised offline and ingested like uploads),
submits a 30-second 9:16 job with ``autoApprove``, shows a progress bar per stage and per scene,
and copies the finished MP4 out of storage with a summary.
"""

from __future__ import annotations

import asyncio
import resource
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import desc, select

from domain.adapters.samples import make_brand_kit
from domain.bootstrap import Container, build_container
from domain.enums import (
    FINAL_JOB_STATUSES,
    AspectRatio,
    AssetRole,
    JobEventType,
    JobStage,
    JobStatus,
    Resolution,
    SceneStatus,
)
from domain.models import Asset, Job, JobEvent, Render, Scene
from domain.models.pipeline import StageRun
from domain.ports.storage import file_chunks
from domain.rules.job_states import STAGE_ORDER, STAGE_WEIGHT
from domain.services import clients, jobs
from domain.services.assets import upload_asset
from domain.services.tenancy import create_api_key
from domain.services.unit_of_work import UnitOfWork
from domain.settings import Settings
from tasks import embedded
from tasks.registry import task_functions

BRAND = "Northwind Outfitters"
BRAND_COLORS = ["#0F766E", "#F59E0B"]

#: How far each scene status is along its own bar.
_SCENE_STEPS: dict[SceneStatus, float] = {
    SceneStatus.PENDING: 0.0,
    SceneStatus.GENERATING_IMAGE: 0.1,
    SceneStatus.IMAGE_READY: 0.3,
    SceneStatus.RENDERING: 0.35,
    SceneStatus.RENDERED: 1.0,
    SceneStatus.FAILED: 0.0,
}


@dataclass
class DemoResult:
    """What the demo made."""

    job_id: uuid.UUID
    status: JobStatus
    output: Path | None
    seconds: float
    scenes: list[Scene] = field(default_factory=list)
    job_seconds: float = 0.0
    job_cpu_seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    estimated_usd: float = 0.0
    actual_usd: float = 0.0
    error: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None


async def _seed(
    container: Container, work: Path
) -> tuple[uuid.UUID, uuid.UUID, dict[str, uuid.UUID]]:
    """Organization, client, campaign and the ingested brand kit; returns (org, campaign, assets)."""
    kit = await make_brand_kit(work / "kit", BRAND, BRAND_COLORS, music_seconds=36.0)
    async with container.session_factory() as session:
        issued = await create_api_key(session, f"demo-{uuid.uuid4().hex[:8]}", "demo")
        org_id = issued.organization.id
        client = await clients.create_client(
            session, org_id, name=BRAND, industry="Outdoor gear", brand_colors=BRAND_COLORS
        )
        campaign = await clients.create_campaign(
            session, org_id, client_id=client.id, name="Spring trail launch"
        )
        await session.commit()
        client_id, campaign_id = client.id, campaign.id
    roles = {
        "logo": AssetRole.LOGO,
        "product-1": AssetRole.PRODUCT,
        "product-2": AssetRole.PRODUCT,
        "music": AssetRole.MUSIC,
    }
    deps = container.assets
    ids: dict[str, uuid.UUID] = {}
    for name, path in kit.items():
        async with container.session_factory() as session:
            ingested = await upload_asset(
                session,
                deps,
                org_id=org_id,
                client_id=client_id,
                campaign_id=campaign_id,
                role=roles[name],
                filename=path.name,
                chunks=file_chunks(path),
            )
            ids[name] = ingested.asset.id
    return org_id, campaign_id, ids


async def _submit(
    container: Container,
    org_id: uuid.UUID,
    campaign_id: uuid.UUID,
    assets: dict[str, uuid.UUID],
    *,
    duration: float,
    aspect: AspectRatio,
    scene_count: int | None = None,
    voiceover: bool = True,
) -> uuid.UUID:
    settings = container.settings
    new = jobs.NewJob(
        campaign_id=campaign_id,
        product="TrailRunner 2 shoes and the Summit bottle",
        audience="weekend hikers and trail runners",
        tone="energetic, outdoorsy",
        call_to_action="Shop the spring collection",
        prompt="sunrise on a mountain trail, fresh and light",
        duration_seconds=duration,
        aspect_ratio=aspect,
        scene_count=scene_count,
        asset_ids=[assets["logo"], assets["product-1"], assets["product-2"]],
        music_asset_id=assets["music"],
        auto_approve=True,
        continuity=True,
        captions=True,
        voiceover=voiceover,
    )
    async with (
        container.session_factory() as session,
        UnitOfWork(session, bus=container.bus, queue=container.queue),
    ):
        job = await jobs.create_job(
            session,
            org_id,
            new,
            prices=container.prices,
            refinements_limit=settings.refinements_limit,
            default_resolution=Resolution(settings.render_resolution),
        )
    return job.id


async def _snapshots(
    container: Container, job_id: uuid.UUID, interval: float = 0.3
) -> AsyncIterator[tuple[Job, list[Scene], dict[uuid.UUID, float]]]:
    """The job, its scenes and each scene's latest clip progress, every ``interval`` seconds."""
    while True:
        async with container.session_factory() as session:
            job = await session.get(Job, job_id)
            assert job is not None
            scenes = list(
                await session.scalars(
                    select(Scene).where(Scene.job_id == job_id).order_by(Scene.position)
                )
            )
            rows = await session.execute(
                select(JobEvent.scene_id, JobEvent.payload)
                .where(
                    JobEvent.job_id == job_id,
                    JobEvent.type == JobEventType.PROGRESS,
                    JobEvent.scene_id.is_not(None),
                )
                .order_by(desc(JobEvent.sequence))
                .limit(200)
            )
            latest: dict[uuid.UUID, float] = {}
            for scene_id, payload in rows:
                if scene_id is not None and scene_id not in latest:
                    latest[scene_id] = float((payload or {}).get("sceneProgress", 0.0))
        yield job, scenes, latest
        if job.status in FINAL_JOB_STATUSES:
            return
        await asyncio.sleep(interval)


def _stage_fraction(job: Job, stage: JobStage) -> float:
    """How far ``stage`` is, read off the job's overall progress."""
    start = sum(STAGE_WEIGHT[s] for s in STAGE_ORDER[: STAGE_ORDER.index(stage)])
    if job.status is JobStatus.COMPLETED:
        return 1.0
    return max(0.0, min(1.0, (job.progress - start) / STAGE_WEIGHT[stage]))


async def _watch(container: Container, job_id: uuid.UUID, console: Console) -> Job:
    columns = (
        TextColumn("{task.description:<30}"),
        BarColumn(bar_width=24),
        TextColumn("{task.percentage:>5.1f}%"),
        TextColumn("{task.fields[note]}", style="dim"),
        TimeElapsedColumn(),
    )
    stage_tasks: dict[JobStage, TaskID] = {}
    scene_tasks: dict[uuid.UUID, TaskID] = {}
    last: Job | None = None
    with Progress(*columns, console=console, transient=False) as progress:
        for stage in STAGE_ORDER:
            stage_tasks[stage] = progress.add_task(stage.value.title(), total=1.0, note="")
        async for job, scenes, latest in _snapshots(container, job_id):
            last = job
            for stage in STAGE_ORDER:
                note = "running" if job.stage is stage else ""
                progress.update(
                    stage_tasks[stage], completed=_stage_fraction(job, stage), note=note
                )
            for scene in scenes:
                if scene.id not in scene_tasks:
                    label = f"  scene {scene.position + 1} · {scene.title[:22]}"
                    scene_tasks[scene.id] = progress.add_task(label, total=1.0, note="")
                done = _SCENE_STEPS[scene.status]
                if scene.status is SceneStatus.RENDERING:
                    done = 0.35 + 0.65 * latest.get(scene.id, 0.0)
                note = f"{scene.continuity.value.lower()} · {scene.duration_seconds:.1f}s · {scene.status.value.lower()}"
                progress.update(scene_tasks[scene.id], completed=done, note=note)
    assert last is not None
    return last


async def _export(container: Container, job: Job, output: Path) -> Render | None:
    async with container.session_factory() as session:
        render = await session.scalar(
            select(Render).where(Render.job_id == job.id, Render.is_default.is_(True))
        )
        if render is None or render.asset_id is None:
            return None
        asset = await session.get(Asset, render.asset_id)
        assert asset is not None and asset.storage_key is not None
        await container.storage.read_to_file(asset.storage_key, output)
        return render


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (FFmpeg), user and system."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def run_demo(
    settings: Settings,
    output: Path,
    *,
    duration: float = 30.0,
    aspect: AspectRatio = AspectRatio.PORTRAIT_9_16,
    scene_count: int | None = None,
    console: Console | None = None,
    voiceover: bool = True,
) -> DemoResult:
    """Make the demo ad into ``output``; returns what happened (the job may have failed).

    ``settings`` carry no Redis URL: the stages run in this process on the embedded runner.
    """
    console = console or Console()
    started = time.monotonic()
    container = await build_container(settings, migrate=True, tasks=task_functions())
    await container.start()
    sweeper = await embedded.start(container)
    work = Path(tempfile.mkdtemp(prefix="adreel-demo-", dir=settings.data_dir))
    try:
        console.print(f"[bold]Adreel demo[/bold] · data in {settings.data_dir.resolve()}")
        console.print("making sample brand assets (logo, two product shots, a music track) ...")
        org_id, campaign_id, assets = await _seed(container, work)
        submitted, cpu_submitted = time.monotonic(), cpu_seconds()
        job_id = await _submit(
            container,
            org_id,
            campaign_id,
            assets,
            duration=duration,
            aspect=aspect,
            scene_count=scene_count,
            voiceover=voiceover,
        )
        console.print(f"job {job_id} submitted: {duration:g}s, {aspect.value}, auto-approved")
        job = await _watch(container, job_id, console)
        result = DemoResult(
            job_id=job_id,
            status=job.status,
            output=None,
            seconds=time.monotonic() - started,
            job_seconds=time.monotonic() - submitted,
            job_cpu_seconds=cpu_seconds() - cpu_submitted,
            estimated_usd=float(job.estimated_cost_usd),
            actual_usd=float(job.actual_cost_usd),
            error=f"{job.error_code}: {job.error_message}" if job.error_code else None,
        )
        async with container.session_factory() as session:
            for run in await session.scalars(
                select(StageRun).where(StageRun.job_id == job_id).order_by(StageRun.created_at)
            ):
                if run.finished_at is not None:
                    spent = (run.finished_at - run.created_at).total_seconds()
                    key = run.stage.value
                    result.stage_seconds[key] = result.stage_seconds.get(key, 0.0) + spent
            result.scenes = list(
                await session.scalars(
                    select(Scene).where(Scene.job_id == job_id).order_by(Scene.position)
                )
            )
        if job.status is JobStatus.COMPLETED:
            await asyncio.to_thread(output.parent.mkdir, parents=True, exist_ok=True)
            if await _export(container, job, output) is not None:
                result.output = output
                info = await container.media.probe(output)
                result.width, result.height, result.duration = (
                    info.width,
                    info.height,
                    info.duration,
                )
        result.seconds = time.monotonic() - started
        return result
    finally:
        await embedded.stop(sweeper)
        await container.close()
        await asyncio.to_thread(shutil.rmtree, work, True)


def print_summary(result: DemoResult, console: Console) -> None:
    """Scenes, durations, cost and where the file is."""
    table = Table(title="Storyboard", show_lines=False)
    for column in ("#", "scene", "shot", "into it", "continuity", "seconds"):
        table.add_column(column)
    for scene in result.scenes:
        table.add_row(
            str(scene.position + 1),
            scene.title,
            scene.shot_type.value.lower(),
            scene.transition.value.lower(),
            scene.continuity.value.lower(),
            f"{scene.duration_seconds:.2f}",
        )
    console.print(table)
    total = sum(s.duration_seconds for s in result.scenes)
    console.print(
        f"scenes: {len(result.scenes)} · planned length {total:.2f}s · "
        f"cost ${result.actual_usd:.2f} (estimated ${result.estimated_usd:.2f}) · "
        f"made in {result.seconds:.0f}s"
    )
    if result.output is not None:
        console.print(
            f"[bold green]wrote {result.output}[/bold green] "
            f"({result.width}x{result.height}, {result.duration or 0:.2f}s, H.264/AAC)"
        )
    else:
        console.print(f"[bold red]the job ended {result.status.value}[/bold red]: {result.error}")


__all__ = ["DemoResult", "print_summary", "run_demo"]
