"""Use cases for jobs and scenes, always scoped to one organization.

Every function changes rows in the caller's session and records the job events of its state
changes there; the caller commits (``commit_and_publish``) and then dispatches the stage runs the
use case asked for (``stage_queue.dispatch_stages``). A ``DomainError`` leaves nothing written
once the caller rolls back.

The transitions the pipeline makes (stages starting, finishing, failing) live in
``domain.services.job_stages``; the rules behind both are in ``domain.rules``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import (
    AspectRatio,
    AssetKind,
    AssetStatus,
    JobAction,
    JobEventType,
    JobStage,
    JobStatus,
    RenderQuality,
    RenderStatus,
    Resolution,
    SceneBeat,
    SceneContinuity,
    SceneStatus,
    Transition,
    VideoFormat,
)
from domain.errors import DomainError, ErrorCode, Invalid, InvalidState, NotFound, ValidationErrors
from domain.models import Asset, Campaign, Client, Job, Render, Scene
from domain.models.base import utcnow
from domain.ports.providers import PlannerProvider
from domain.rules.asset_roles import PlanAsset, role_fits_kind
from domain.rules.budget import money, within_budget
from domain.rules.durations import (
    clean_job_duration,
    clean_scene_count,
    clean_scene_duration,
    require_scene_count,
    to_ms,
    total_seconds,
)
from domain.rules.invalidation import SceneInputs, Stale, stale_after
from domain.rules.job_states import (
    STATUS_OF_STAGE,
    JobSnapshot,
    progress_at,
    require_action,
    require_transition,
)
from domain.rules.planner import (
    BEAT_SHOT,
    SHOT_WORDS,
    Brief,
    Plan,
    PlanRequest,
    clean_brief,
    normalize_plan,
    plan_offline,
)
from domain.rules.pricing import (
    DEFAULT_PRICES,
    JobEstimate,
    PriceTable,
    ProviderChoice,
    ProviderKind,
    SceneWork,
    estimate_job,
)
from domain.services.events import record_job_event
from domain.services.job_stages import (
    BUSY_RENDER_STATUSES,
    RUNNING_SCENE_STATUSES,
    job_snapshot,
    stored_scene_status,
)
from domain.services.progress import advance_progress
from domain.services.stage_queue import request_stage

DEFAULT_REFINEMENTS_LIMIT = 5
MAX_JOB_ASSETS = 50
MAX_SCENE_ASSETS = 10
MAX_RENDERS_PER_JOB = 20
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # line breaks (\n) are allowed

#: Text limits of scene fields (characters).
SCENE_TEXT_LIMITS = {
    "title": 200,
    "description": 2000,
    "script": 1000,
    "caption": 200,
    "prompt": 4000,
}
_CAMEL = {"duration_seconds": "durationSeconds", "shot_type": "shotType", "asset_ids": "assetIds"}


def _camel(name: str) -> str:
    return _CAMEL.get(name, name)


# --- reading ---------------------------------------------------------------------------------


def jobs_query(
    org_id: uuid.UUID,
    campaign_id: uuid.UUID | None = None,
    statuses: Sequence[JobStatus] | None = None,
) -> Select[Job]:
    """The organization's jobs, optionally of one campaign and some statuses."""
    stmt = select(Job).where(Job.organization_id == org_id)
    if campaign_id is not None:
        stmt = stmt.where(Job.campaign_id == campaign_id)
    if statuses:
        stmt = stmt.where(Job.status.in_(list(statuses)))
    return stmt


@lru_cache(maxsize=256)
def status_filter(statuses: tuple[JobStatus, ...]) -> tuple[ColumnElement[bool], ...]:
    """The WHERE clause of a job status filter; the same object for the same statuses, so nested
    connections filtered alike share one DataLoader."""
    return (Job.status.in_(list(statuses)),)


async def get_job(
    session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID, *, for_update: bool = False
) -> Job:
    """A job of the organization (locked for the transaction when ``for_update``)."""
    stmt = select(Job).where(Job.id == job_id, Job.organization_id == org_id)
    if for_update:
        stmt = stmt.with_for_update()
    job = await session.scalar(stmt)
    if job is None:
        raise NotFound("job", ["jobId"])
    return job


async def get_scene(
    session: AsyncSession, org_id: uuid.UUID, scene_id: uuid.UUID, field: str = "sceneId"
) -> Scene:
    """A scene of the organization."""
    scene = await session.scalar(
        select(Scene).where(Scene.id == scene_id, Scene.organization_id == org_id)
    )
    if scene is None:
        raise NotFound("scene", [field])
    return scene


async def scenes_of(session: AsyncSession, job: Job) -> list[Scene]:
    """The job's scenes in order."""
    return list(
        (
            await session.scalars(
                select(Scene)
                .where(Scene.job_id == job.id, Scene.organization_id == job.organization_id)
                .order_by(Scene.position, Scene.created_at, Scene.id)
            )
        ).all()
    )


async def renders_of(session: AsyncSession, job: Job) -> list[Render]:
    """The job's renders, default output first, then oldest first."""
    return list(
        (
            await session.scalars(
                select(Render)
                .where(Render.job_id == job.id, Render.organization_id == job.organization_id)
                .order_by(Render.is_default.desc(), Render.created_at, Render.id)
            )
        ).all()
    )


def snapshot_from(job: Job, scenes: Sequence[Scene], renders: Sequence[Render]) -> JobSnapshot:
    """The state-machine view of a job from rows already loaded (no queries)."""
    return JobSnapshot(
        status=job.status,
        has_scenes=bool(scenes),
        renders_busy=job.status is JobStatus.COMPLETED
        and any(r.status in BUSY_RENDER_STATUSES for r in renders),
        refinements_used=job.refinements_used,
        refinements_limit=job.refinements_limit,
    )


def price_table(overrides: Mapping[str, Mapping[str, Mapping[str, Any]]] | None) -> PriceTable:
    """The default price table with configured prices added or replaced."""
    return DEFAULT_PRICES.merged(overrides)


# --- creating --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewJob:
    """What ``createJob`` and ``estimateJob`` are given (IDs already decoded)."""

    campaign_id: uuid.UUID
    product: str
    duration_seconds: float
    aspect_ratio: AspectRatio
    audience: str | None = None
    tone: str | None = None
    call_to_action: str | None = None
    language: str | None = None
    prompt: str | None = None
    scene_count: int | None = None
    continuity: bool | None = None
    asset_ids: Sequence[uuid.UUID] = ()
    auto_approve: bool | None = None
    budget_usd: float | None = None
    providers: Mapping[str, str | None] | None = None
    captions: bool | None = None
    music_asset_id: uuid.UUID | None = None
    voiceover: bool | None = None


@dataclass(frozen=True)
class Prepared:
    """A validated job request, the plan the built-in planner makes for it, and its cost."""

    campaign: Campaign
    client: Client
    brief: Brief
    duration_seconds: float
    scene_count: int | None
    continuity: bool
    budget_usd: Decimal | None
    choice: ProviderChoice
    assets: list[Asset]
    music: Asset | None
    request: PlanRequest
    plan: Plan
    estimate: JobEstimate
    captions: bool = True
    voiceover: bool = False
    auto_approve: bool = False
    assets_by_id: dict[str, Asset] = field(default_factory=dict)

    @property
    def within_budget(self) -> bool:
        return within_budget(self.budget_usd, self.estimate.total_usd)


def _collect(errors: list[DomainError], fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except ValidationErrors as exc:
        errors.extend(exc.errors)
    except DomainError as exc:
        errors.append(exc)
    return None


def _clean_budget(value: float | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = money(value)
    except ArithmeticError as exc:
        raise Invalid("budgetUsd must be a number", ["budgetUsd"]) from exc
    if not amount.is_finite() or amount < 0 or amount > Decimal("1000000"):
        raise Invalid("budgetUsd must be between 0 and 1,000,000", ["budgetUsd"])
    return amount


def _clean_choice(prices: PriceTable, providers: Mapping[str, str | None] | None) -> ProviderChoice:
    choice = ProviderChoice.from_dict({k: (v or "").strip() for k, v in (providers or {}).items()})
    return prices.validate(choice)


def _plan_asset(asset: Asset) -> PlanAsset:
    return PlanAsset(str(asset.id), asset.role, asset.kind)


async def _load_assets(
    session: AsyncSession,
    org_id: uuid.UUID,
    client_id: uuid.UUID,
    ids: Sequence[uuid.UUID],
    field: str,
    *,
    visual_only: bool = False,
) -> list[Asset]:
    """The organization's READY assets of this client, in the order given (duplicates dropped).

    Unknown and foreign IDs are NOT_FOUND (indistinguishable); a pending or failed asset is
    INVALID_STATE; another client's asset is INVALID.
    """
    unique = list(dict.fromkeys(ids))
    rows = (
        (
            await session.scalars(
                select(Asset).where(Asset.id.in_(unique), Asset.organization_id == org_id)
            )
        ).all()
        if unique
        else []
    )
    found = {a.id: a for a in rows}
    errors: list[DomainError] = []
    out: list[Asset] = []
    for asset_id in unique:
        asset = found.get(asset_id)
        path = [field, str(ids.index(asset_id))] if field != "music" else [field]
        if asset is None:
            errors.append(NotFound("asset", path))
        elif asset.status is not AssetStatus.READY:
            errors.append(InvalidState(f"asset is {asset.status.value}, not READY", path))
        elif asset.client_id != client_id:
            errors.append(Invalid("asset belongs to another client", path))
        elif visual_only and asset.kind is not AssetKind.IMAGE:
            errors.append(Invalid("a scene takes image assets only", path))
        elif not role_fits_kind(asset.role, asset.kind):
            kind = asset.kind.value.lower() if asset.kind else "unknown"
            errors.append(
                Invalid(f"a {asset.role.value if asset.role else ''} asset cannot be {kind}", path)
            )
        else:
            out.append(asset)
    if errors:
        raise ValidationErrors(errors)
    return out


async def prepare_job(
    session: AsyncSession,
    org_id: uuid.UUID,
    new: NewJob,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Prepared:
    """Validate a job request, plan it with the built-in planner, and price it. Writes nothing."""
    errors: list[DomainError] = []
    duration = _collect(errors, clean_job_duration, new.duration_seconds)
    scene_count = _collect(errors, clean_scene_count, new.scene_count)
    brief = _collect(
        errors,
        clean_brief,
        product=new.product,
        audience=new.audience,
        tone=new.tone,
        call_to_action=new.call_to_action,
        language=new.language,
        prompt=new.prompt,
    )
    budget = _collect(errors, _clean_budget, new.budget_usd)
    choice = _collect(errors, _clean_choice, prices, new.providers)
    if len(new.asset_ids) > MAX_JOB_ASSETS:
        errors.append(Invalid(f"at most {MAX_JOB_ASSETS} assets", ["assetIds"]))
    campaign = await session.scalar(
        select(Campaign).where(Campaign.id == new.campaign_id, Campaign.organization_id == org_id)
    )
    if campaign is None:
        errors.append(NotFound("campaign", ["campaignId"]))
    assets: list[Asset] = []
    music: Asset | None = None
    client: Client | None = None
    if campaign is not None:
        client = await session.scalar(
            select(Client).where(Client.id == campaign.client_id, Client.organization_id == org_id)
        )
        try:
            assets = await _load_assets(
                session,
                org_id,
                campaign.client_id,
                list(new.asset_ids)[:MAX_JOB_ASSETS],
                "assetIds",
            )
        except ValidationErrors as exc:
            errors.extend(exc.errors)
        if new.music_asset_id is not None:
            try:
                (music,) = await _load_assets(
                    session, org_id, campaign.client_id, [new.music_asset_id], "music"
                )
                if music.kind is not AssetKind.AUDIO:
                    errors.append(Invalid("music must be an audio asset", ["music"]))
            except ValidationErrors as exc:
                errors.extend(exc.errors)
    if errors:
        raise ValidationErrors(errors)
    assert campaign is not None and client is not None and brief is not None
    assert duration is not None and choice is not None
    continuity = True if new.continuity is None else bool(new.continuity)
    voiceover = bool(new.voiceover)
    request = PlanRequest(
        brief=brief,
        duration_seconds=duration,
        aspect_ratio=new.aspect_ratio,
        scene_count=scene_count,
        continuity=continuity,
        brand_name=client.name,
        brand_colors=tuple(client.brand_colors or ()),
        assets=tuple(_plan_asset(a) for a in assets),
        music_asset_id=str(music.id) if music else None,
        captions=True if new.captions is None else bool(new.captions),
        voiceover=voiceover,
    )
    plan = plan_offline(request)
    estimate = estimate_job(
        prices,
        choice,
        [SceneWork(s.duration_seconds, len(s.script)) for s in plan.scenes],
        voiceover=voiceover,
    )
    by_id = {str(a.id): a for a in assets}
    if music is not None:
        by_id[str(music.id)] = music
    return Prepared(
        campaign=campaign,
        client=client,
        brief=brief,
        duration_seconds=duration,
        scene_count=scene_count,
        continuity=continuity,
        budget_usd=budget,
        choice=choice,
        assets=assets,
        music=music,
        request=request,
        plan=plan,
        estimate=estimate,
        captions=request.captions,
        voiceover=voiceover,
        auto_approve=bool(new.auto_approve),
        assets_by_id=by_id,
    )


async def estimate_new_job(
    session: AsyncSession,
    org_id: uuid.UUID,
    new: NewJob,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Prepared:
    """``estimateJob``: the scenes the job would get and what they would cost; writes nothing."""
    return await prepare_job(session, org_id, new, prices=prices)


async def create_job(
    session: AsyncSession,
    org_id: uuid.UUID,
    new: NewJob,
    *,
    prices: PriceTable = DEFAULT_PRICES,
    refinements_limit: int = DEFAULT_REFINEMENTS_LIMIT,
    default_resolution: Resolution = Resolution.P1080,
) -> Job:
    """``createJob``: validate, price (``BUDGET_EXCEEDED`` when the estimate is over the budget),
    store the job QUEUED at PLAN with its default render, record JOB_CREATED and ask for PLAN.

    ``default_resolution`` is the default output's size (``ADREEL_RENDER_RESOLUTION``)."""
    prepared = await prepare_job(session, org_id, new, prices=prices)
    if not prepared.within_budget:
        raise DomainError(
            ErrorCode.BUDGET_EXCEEDED,
            f"the estimate ${prepared.estimate.total_usd:.2f} is over the budget "
            f"${prepared.budget_usd:.2f}",
            ["budgetUsd"],
        )
    job = Job(
        id=uuid.uuid4(),
        organization_id=org_id,
        campaign_id=prepared.campaign.id,
        status=JobStatus.QUEUED,
        stage=JobStage.PLAN,
        progress=0.0,
        brief=prepared.brief.to_dict(),
        duration_seconds=prepared.duration_seconds,
        aspect_ratio=new.aspect_ratio,
        continuity=prepared.continuity,
        scene_count=prepared.scene_count,
        auto_approve=prepared.auto_approve,
        captions=prepared.captions,
        voiceover=prepared.voiceover,
        music_asset_id=prepared.music.id if prepared.music else None,
        asset_ids=[str(a.id) for a in prepared.assets],
        providers=prepared.choice.to_dict(),
        budget_usd=prepared.budget_usd,
        estimated_cost_usd=prepared.estimate.total_usd,
        actual_cost_usd=Decimal(0),
        refinements_used=0,
        refinements_limit=refinements_limit,
    )
    session.add(job)
    await session.flush()
    session.add(
        Render(
            organization_id=org_id,
            job_id=job.id,
            format=VideoFormat.MP4,
            resolution=default_resolution,
            aspect_ratio=new.aspect_ratio,
            quality=RenderQuality.BALANCED,
            is_default=True,
            status=RenderStatus.QUEUED,
        )
    )
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.JOB_CREATED,
        "job created",
        payload={
            "estimatedUsd": str(prepared.estimate.total_usd),
            "plannedScenes": len(prepared.plan.scenes),
        },
    )
    request_stage(session, job.id, JobStage.PLAN)
    return job


# --- the PLAN stage's writes (called by the pipeline) ----------------------------------------


async def plan_request_for(session: AsyncSession, job: Job) -> PlanRequest:
    """What the job's planner is asked: the brief, duration, count, continuity, brand, assets."""
    campaign = await session.get(Campaign, job.campaign_id)
    client = await session.get(Client, campaign.client_id) if campaign else None
    ids = [uuid.UUID(i) for i in job.asset_ids]
    assets = (
        (
            await session.scalars(
                select(Asset).where(Asset.id.in_(ids), Asset.organization_id == job.organization_id)
            )
        ).all()
        if ids
        else []
    )
    order = {i: n for n, i in enumerate(ids)}
    return PlanRequest(
        brief=Brief.from_dict(job.brief),
        duration_seconds=job.duration_seconds,
        aspect_ratio=job.aspect_ratio,
        scene_count=job.scene_count,
        continuity=job.continuity,
        brand_name=client.name if client else "",
        brand_colors=tuple(client.brand_colors or ()) if client else (),
        assets=tuple(_plan_asset(a) for a in sorted(assets, key=lambda a: order[a.id])),
        music_asset_id=str(job.music_asset_id) if job.music_asset_id else None,
        captions=job.captions,
        voiceover=job.voiceover,
    )


async def apply_plan(
    session: AsyncSession,
    job: Job,
    plan: Plan,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> list[Scene]:
    """Store a plan as the job's scenes (normalized first). Idempotent: a job that already has
    scenes keeps them and gets them back. Records one SCENE_UPDATED event per scene."""
    existing = await scenes_of(session, job)
    if existing:
        return existing
    request = await plan_request_for(session, job)
    plan = normalize_plan(request, plan)
    choice = ProviderChoice.from_dict(job.providers)
    estimate = estimate_job(
        prices,
        choice,
        [SceneWork(s.duration_seconds, len(s.script)) for s in plan.scenes],
        voiceover=job.voiceover,
    )
    scenes = []
    for position, (planned, cost) in enumerate(zip(plan.scenes, estimate.scene_usd, strict=True)):
        scene = Scene(
            id=uuid.uuid4(),
            organization_id=job.organization_id,
            job_id=job.id,
            position=position,
            beat=planned.beat,
            title=planned.title[:200],
            description=planned.description,
            script=planned.script,
            caption=planned.caption,
            prompt=planned.prompt,
            shot_type=planned.shot_type,
            transition=planned.transition,
            duration_seconds=planned.duration_seconds,
            continuity=planned.continuity,
            status=SceneStatus.PENDING,
            asset_ids=list(planned.asset_ids),
            refinements=0,
            feedback=[],
            estimated_cost_usd=cost,
            actual_cost_usd=Decimal(0),
        )
        session.add(scene)
        scenes.append(scene)
    if job.music_asset_id is None and plan.music_asset_id:
        job.music_asset_id = uuid.UUID(plan.music_asset_id)
    job.duration_seconds = total_seconds([s.duration_seconds for s in scenes])
    await session.flush()
    for scene in scenes:
        await record_job_event(
            session,
            job,
            JobEventType.SCENE_UPDATED,
            f"scene {scene.position + 1} planned: {scene.title}",
            scene_id=scene.id,
            payload={"position": scene.position, "sceneStatus": scene.status.value},
        )
    return scenes


async def run_plan(
    session: AsyncSession,
    job: Job,
    planner: PlannerProvider,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> list[Scene]:
    """The PLAN stage's work: ask ``planner`` (unless scenes are stored) and store its plan."""
    existing = await scenes_of(session, job)
    if existing:
        return existing
    plan = await planner.plan(await plan_request_for(session, job))
    return await apply_plan(session, job, plan, prices=prices)


# --- approval, cancel, retry -----------------------------------------------------------------


async def _snapshot(session: AsyncSession, job: Job) -> JobSnapshot:
    return await job_snapshot(session, job)


def _first_missing_stage(job: Job, scenes: Sequence[Scene], renders: Sequence[Render]) -> JobStage:
    """The earliest stage with work left (stored work is never redone)."""
    if not scenes:
        return JobStage.PLAN
    if any(s.image_asset_id is None for s in scenes):
        return JobStage.STORYBOARD
    if any(s.clip_asset_id is None for s in scenes):
        return JobStage.CLIPS
    if job.composition_asset_id is None:
        return JobStage.COMPOSE
    if any(r.status is not RenderStatus.COMPLETED for r in renders):
        return JobStage.RENDER
    return JobStage.COMPOSE


async def _move_to_stage(
    session: AsyncSession, job: Job, stage: JobStage, message: str, *, queued: bool = False
) -> None:
    """Put the job at ``stage`` (its status follows) and ask for the stage to run."""
    target = JobStatus.QUEUED if queued else STATUS_OF_STAGE[stage]
    if target is not job.status:
        require_transition(job.status, target)
    job.status = target
    job.stage = stage
    await advance_progress(session, job, progress_at(stage, 0.0))
    await session.flush()
    await record_job_event(session, job, JobEventType.STATUS_CHANGED, message)
    request_stage(session, job.id, stage)


async def approve_storyboard(session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    """Approve the storyboard: rendering starts at the first stage with work left."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await _snapshot(session, job), JobAction.APPROVE_STORYBOARD)
    scenes = await scenes_of(session, job)
    renders = await renders_of(session, job)
    job.approved_at = utcnow()
    stage = _first_missing_stage(job, scenes, renders)
    if stage is JobStage.PLAN:  # cannot happen: approval needs scenes
        raise InvalidState("the job has no scenes to approve", ["jobId"])
    await _move_to_stage(session, job, stage, "storyboard approved")
    return job


async def cancel_job(session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    """Cancel a job that has not finished; running workers stop at their next check."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await _snapshot(session, job), JobAction.CANCEL)
    require_transition(job.status, JobStatus.CANCELED)
    job.status = JobStatus.CANCELED
    for scene in await scenes_of(session, job):
        if scene.status in RUNNING_SCENE_STATUSES:
            scene.status = stored_scene_status(scene)
    for render in await renders_of(session, job):
        if render.status in BUSY_RENDER_STATUSES:
            render.status = RenderStatus.CANCELED
    await session.flush()
    await record_job_event(session, job, JobEventType.JOB_CANCELED, "job canceled")
    return job


async def retry_job(session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    """Resume a failed job at the stage that failed (earlier when edits removed stored work);
    everything already stored is kept."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await _snapshot(session, job), JobAction.RETRY)
    scenes = await scenes_of(session, job)
    renders = await renders_of(session, job)
    failed_at = job.error_stage or job.stage or JobStage.PLAN
    missing = _first_missing_stage(job, scenes, renders)
    order = list(JobStage)
    stage = failed_at if order.index(failed_at) <= order.index(missing) else missing
    for scene in scenes:
        if scene.status is SceneStatus.FAILED or scene.status in RUNNING_SCENE_STATUSES:
            scene.status = stored_scene_status(scene)
        scene.error_code = scene.error_stage = scene.error_message = None
        scene.error_retryable = False
    for render in renders:
        if render.status in (RenderStatus.FAILED, RenderStatus.CANCELED):
            render.status = RenderStatus.QUEUED
            render.progress = 0.0
            render.error_code = render.error_stage = render.error_message = None
            render.error_retryable = False
    job.error_code = job.error_stage = job.error_message = None
    job.error_retryable = False
    job.attempts = 0
    job.next_run_at = None
    await _move_to_stage(
        session,
        job,
        stage,
        f"retrying at {stage.value}",
        queued=stage is JobStage.PLAN,
    )
    return job


# --- exports ---------------------------------------------------------------------------------


async def export_job(
    session: AsyncSession,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    format: VideoFormat = VideoFormat.MP4,
    resolution: Resolution = Resolution.P1080,
    aspect_ratio: AspectRatio | None = None,
    quality: RenderQuality = RenderQuality.BALANCED,
) -> Render:
    """Ask for a render of a completed job. The same request again returns the same render
    (re-queued when it had failed or was canceled)."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await _snapshot(session, job), JobAction.EXPORT)
    aspect = aspect_ratio or job.aspect_ratio
    renders = await renders_of(session, job)
    same = next(
        (
            r
            for r in renders
            if (r.format, r.resolution, r.aspect_ratio, r.quality)
            == (format, resolution, aspect, quality)
        ),
        None,
    )
    if same is not None and same.status in (
        RenderStatus.COMPLETED,
        RenderStatus.QUEUED,
        RenderStatus.RENDERING,
    ):
        return same
    if same is None:
        if len(renders) >= MAX_RENDERS_PER_JOB:
            raise DomainError(
                ErrorCode.LIMIT_EXCEEDED,
                f"at most {MAX_RENDERS_PER_JOB} renders per job",
                ["jobId"],
            )
        same = Render(
            organization_id=org_id,
            job_id=job.id,
            format=format,
            resolution=resolution,
            aspect_ratio=aspect,
            quality=quality,
            is_default=False,
        )
        session.add(same)
    same.status = RenderStatus.QUEUED
    same.progress = 0.0
    same.asset_id = None
    same.completed_at = None
    same.error_code = same.error_stage = same.error_message = None
    same.error_retryable = False
    await session.flush()
    await record_job_event(
        session,
        job,
        JobEventType.RENDER_UPDATED,
        f"export queued: {format.value} {resolution.value} {aspect.value}",
        payload={
            "renderId": str(same.id),
            "renderStatus": same.status.value,
            "format": format.value,
            "resolution": resolution.value,
            "aspectRatio": aspect.value,
            "progress": 0.0,
        },
    )
    request_stage(session, job.id, JobStage.RENDER)
    return same


# --- scene edits -----------------------------------------------------------------------------


def _inputs(scene: Scene) -> SceneInputs:
    return SceneInputs(
        id=str(scene.id),
        prompt=scene.prompt,
        shot_type=scene.shot_type,
        asset_ids=tuple(scene.asset_ids),
        duration_ms=to_ms(scene.duration_seconds),
        continuity=scene.continuity,
        transition=scene.transition,
        script=scene.script,
        caption=scene.caption,
        refinements=scene.refinements,
    )


def clean_scene_text(name: str, value: str | None) -> str:
    """A scene text field: trimmed, within its limit, no control characters but line breaks.

    Captions are kept exactly as written (punctuation, ``%``, ``:``, brackets, backslashes):
    they reach the renderer as plain text.
    """
    text = (value or "").strip()
    limit = SCENE_TEXT_LIMITS[name]
    if len(text) > limit:
        raise Invalid(f"{name} must be at most {limit} characters", [name])
    if _CONTROL.search(text):
        raise Invalid(f"{name} must not contain control characters", [name])
    return text


async def _edit_context(
    session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID, action: JobAction
) -> tuple[Job, list[Scene], list[Scene]]:
    """Lock the job, check the action, and return it with its scenes (and a copy of the order)."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await _snapshot(session, job), action)
    scenes = await scenes_of(session, job)
    return job, scenes, list(scenes)


def _require_idle(scene: Scene) -> None:
    if scene.status in RUNNING_SCENE_STATUSES:
        raise InvalidState(f"scene {scene.position + 1} is {scene.status.value}", ["sceneId"])


async def _price_rework(
    job: Job, scenes: Sequence[Scene], stale: Stale, prices: PriceTable
) -> Decimal:
    """Estimated cost of remaking outputs that were already made and an edit made stale
    (outputs never made are covered by the scene's estimate already); added to the estimate.

    ``BUDGET_EXCEEDED`` when spending it would take the job past its budget.
    """
    choice = ProviderChoice.from_dict(job.providers)
    image = prices.price(ProviderKind.IMAGE, choice.image)
    video = prices.price(ProviderKind.VIDEO, choice.video)
    total = Decimal(0)
    for scene in scenes:
        key = str(scene.id)
        cost = Decimal(0)
        if key in stale.images and scene.image_asset_id is not None:
            cost += image.cost()
        if key in stale.clips and scene.clip_asset_id is not None:
            cost += video.cost(seconds=scene.duration_seconds)
        if cost:
            scene.estimated_cost_usd = money(scene.estimated_cost_usd + cost)
        total += cost
    total = money(total)
    if total > 0:
        if not within_budget(job.budget_usd, job.actual_cost_usd + total):
            raise DomainError(
                ErrorCode.BUDGET_EXCEEDED,
                f"redoing this work (about ${total:.2f}) would take the job past its budget",
                ["budgetUsd"],
            )
        job.estimated_cost_usd = money(job.estimated_cost_usd + total)
    return total


async def _apply_edit(
    session: AsyncSession,
    job: Job,
    before: Sequence[SceneInputs],
    scenes: Sequence[Scene],
    changed: Iterable[Scene],
    message: str,
    *,
    prices: PriceTable,
) -> Stale:
    """After scene rows changed: renumber, mark stale outputs, move the job, record events."""
    for position, scene in enumerate(scenes):
        scene.position = position
        if position == 0 and scene.continuity is SceneContinuity.CONTINUE:
            scene.continuity = SceneContinuity.CUT
        if position == 0:
            scene.transition = Transition.CUT
    total = total_seconds([s.duration_seconds for s in scenes])
    clean_job_duration(total, "durationSeconds")
    job.duration_seconds = total
    stale = stale_after(before, [_inputs(s) for s in scenes])
    await _price_rework(job, scenes, stale, prices)
    for scene in scenes:
        key = str(scene.id)
        if key in stale.images:
            scene.image_asset_id = None
        if key in stale.clips:
            scene.clip_asset_id = None
            scene.last_frame_asset_id = None
        if key in stale.images or key in stale.clips:
            scene.status = stored_scene_status(scene)
            scene.error_code = scene.error_stage = scene.error_message = None
            scene.error_retryable = False
    if stale.composition or stale.clips:
        job.composition_asset_id = None
        for render in await renders_of(session, job):
            if render.status is not RenderStatus.QUEUED or render.asset_id is not None:
                render.status = RenderStatus.QUEUED
                render.progress = 0.0
                render.asset_id = None
                render.completed_at = None
                render.error_code = render.error_stage = render.error_message = None
                render.error_retryable = False
    await session.flush()
    for scene in dict.fromkeys(changed):
        await record_job_event(
            session,
            job,
            JobEventType.SCENE_UPDATED,
            f"scene {scene.position + 1}: {message}",
            scene_id=scene.id,
            payload={"position": scene.position, "sceneStatus": scene.status.value},
        )
    needs_images = any(s.image_asset_id is None for s in scenes)
    if job.status is JobStatus.FAILED:
        if stale.images:
            job.approved_at = None
        return stale
    if job.status is JobStatus.COMPLETED and not stale.anything:
        return stale
    if job.status is JobStatus.COMPLETED:
        job.approved_at = None
    if needs_images:
        if job.status is not JobStatus.PLANNING:
            await _move_to_stage(session, job, JobStage.STORYBOARD, "new key images needed")
    elif job.status is JobStatus.COMPLETED:
        require_transition(job.status, JobStatus.STORYBOARD_READY)
        job.status = JobStatus.STORYBOARD_READY
        job.stage = None
        await session.flush()
        await record_job_event(
            session, job, JobEventType.STORYBOARD_READY, "edited: approve to render again"
        )
    return stale


@dataclass(frozen=True)
class SceneFields:
    """Fields of ``updateScene``/``addScene``; only the names in ``given`` were sent."""

    values: Mapping[str, Any]

    def given(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str) -> Any:
        return self.values.get(name)


async def _set_fields(
    session: AsyncSession, job: Job, scene: Scene, fields: SceneFields
) -> list[DomainError]:
    """Validate and set scene fields; returns the errors (nothing is set when there are any)."""
    errors: list[DomainError] = []
    updates: dict[str, Any] = {}
    for name in SCENE_TEXT_LIMITS:
        if fields.given(name):
            value = _collect(errors, clean_scene_text, name, fields.get(name))
            if value is not None:
                updates[name] = value
    if fields.given("duration_seconds"):
        raw = fields.get("duration_seconds")
        if raw is None:
            errors.append(Invalid("durationSeconds cannot be null", ["durationSeconds"]))
        else:
            value = _collect(errors, clean_scene_duration, float(raw))
            if value is not None:
                updates["duration_seconds"] = value
    for name in ("shot_type", "transition", "continuity"):
        if fields.given(name):
            if fields.get(name) is None:
                errors.append(Invalid(f"{_camel(name)} cannot be null", [_camel(name)]))
            else:
                updates[name] = fields.get(name)
    if fields.given("asset_ids"):
        ids = list(fields.get("asset_ids") or [])
        if len(ids) > MAX_SCENE_ASSETS:
            errors.append(Invalid(f"at most {MAX_SCENE_ASSETS} assets per scene", ["assetIds"]))
        else:
            campaign = await session.get(Campaign, job.campaign_id)
            assert campaign is not None
            try:
                assets = await _load_assets(
                    session,
                    job.organization_id,
                    campaign.client_id,
                    ids,
                    "assetIds",
                    visual_only=True,
                )
                updates["asset_ids"] = [str(a.id) for a in assets]
            except ValidationErrors as exc:
                errors.extend(exc.errors)
    continuity = updates.get("continuity", scene.continuity)
    transition = updates.get("transition", scene.transition)
    if continuity is SceneContinuity.CONTINUE:
        if scene.position == 0:
            errors.append(
                Invalid("the first scene has no previous shot to continue", ["continuity"])
            )
        if "transition" in updates and transition is not Transition.CUT:
            errors.append(
                Invalid(
                    "a scene that continues the previous shot is entered with a CUT",
                    ["transition"],
                )
            )
        elif "continuity" in updates:
            updates["transition"] = Transition.CUT
    if errors:
        return errors
    for name, value in updates.items():
        setattr(scene, name, value)
    return []


async def update_scene(
    session: AsyncSession,
    org_id: uuid.UUID,
    scene_id: uuid.UUID,
    fields: SceneFields,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Scene:
    """Change a scene. Only what the change affects is made again: a new prompt, shot or assets
    need a new key image (the job goes back through the storyboard), a new duration or
    continuity a new clip, a new caption, script or transition only a new composition."""
    scene = await get_scene(session, org_id, scene_id)
    job, scenes, _ = await _edit_context(session, org_id, scene.job_id, JobAction.EDIT_SCENES)
    scene = next(s for s in scenes if s.id == scene_id)
    _require_idle(scene)
    before = [_inputs(s) for s in scenes]
    errors = await _set_fields(session, job, scene, fields)
    if errors:
        raise ValidationErrors(errors)
    await _apply_edit(session, job, before, scenes, [scene], "edited", prices=prices)
    return scene


async def add_scene(
    session: AsyncSession,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    position: int | None,
    fields: SceneFields,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Scene:
    """Insert a scene (default: before the end card); the job's duration grows by its length."""
    job, scenes, _ = await _edit_context(session, org_id, job_id, JobAction.EDIT_SCENES)
    require_scene_count(len(scenes) + 1, "jobId")
    if position is None:
        last = scenes[-1] if scenes else None
        position = (
            len(scenes) - 1 if last is not None and last.beat is SceneBeat.END_CARD else len(scenes)
        )
    if not 0 <= position <= len(scenes):
        raise Invalid(f"position must be between 0 and {len(scenes)}", ["position"])
    before = [_inputs(s) for s in scenes]
    brief = Brief.from_dict(job.brief)
    shot = fields.get("shot_type") or BEAT_SHOT[SceneBeat.CUSTOM]
    scene = Scene(
        id=uuid.uuid4(),
        organization_id=org_id,
        job_id=job.id,
        position=position,
        beat=SceneBeat.CUSTOM,
        title="New scene",
        description="",
        script="",
        caption="",
        prompt=f"{SHOT_WORDS[shot]} of {brief.product}",
        shot_type=shot,
        transition=Transition.CUT if position == 0 else Transition.DISSOLVE,
        duration_seconds=3.0,
        continuity=SceneContinuity.CUT,
        status=SceneStatus.PENDING,
        asset_ids=[],
        refinements=0,
        feedback=[],
        estimated_cost_usd=Decimal(0),
        actual_cost_usd=Decimal(0),
    )
    errors = await _set_fields(session, job, scene, fields)
    if errors:
        raise ValidationErrors(errors)
    choice = ProviderChoice.from_dict(job.providers)
    scene_estimate = estimate_job(
        prices,
        choice,
        [SceneWork(scene.duration_seconds, len(scene.script))],
        voiceover=job.voiceover,
    ).scene_usd[0]
    if not within_budget(job.budget_usd, job.actual_cost_usd + scene_estimate):
        raise DomainError(
            ErrorCode.BUDGET_EXCEEDED,
            f"a new scene (about ${scene_estimate:.2f}) would take the job past its budget",
            ["budgetUsd"],
        )
    scene.estimated_cost_usd = scene_estimate
    job.estimated_cost_usd = money(job.estimated_cost_usd + scene_estimate)
    session.add(scene)
    scenes.insert(position, scene)
    await _apply_edit(session, job, before, scenes, [scene], "added", prices=prices)
    return scene


async def delete_scene(
    session: AsyncSession,
    org_id: uuid.UUID,
    scene_id: uuid.UUID,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Job:
    """Remove a scene (a job keeps at least 3); the job's duration shrinks by its length."""
    scene = await get_scene(session, org_id, scene_id)
    job, scenes, _ = await _edit_context(session, org_id, scene.job_id, JobAction.EDIT_SCENES)
    scene = next(s for s in scenes if s.id == scene_id)
    _require_idle(scene)
    require_scene_count(len(scenes) - 1, "sceneId")
    before = [_inputs(s) for s in scenes]
    scenes.remove(scene)
    if scene.actual_cost_usd == 0:
        job.estimated_cost_usd = money(
            max(Decimal(0), job.estimated_cost_usd - scene.estimated_cost_usd)
        )
    await session.delete(scene)
    following = [s for s in scenes if s.position == scene.position + 1]
    await _apply_edit(
        session, job, before, scenes, following, "previous scene removed", prices=prices
    )
    return job


async def reorder_scenes(
    session: AsyncSession,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    scene_ids: Sequence[uuid.UUID],
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Job:
    """Put the scenes in the order given, which must list every scene of the job exactly once."""
    job, scenes, _ = await _edit_context(session, org_id, job_id, JobAction.EDIT_SCENES)
    by_id = {s.id: s for s in scenes}
    errors: list[DomainError] = []
    for index, sid in enumerate(scene_ids):
        if sid not in by_id:
            errors.append(NotFound("scene", ["sceneIds", str(index)]))
    if errors:
        raise ValidationErrors(errors)
    if len(set(scene_ids)) != len(scene_ids) or set(scene_ids) != set(by_id):
        raise Invalid("sceneIds must list every scene of the job exactly once", ["sceneIds"])
    for scene in scenes:
        _require_idle(scene)
    before = [_inputs(s) for s in scenes]
    ordered = [by_id[sid] for sid in scene_ids]
    moved = [s for new, s in enumerate(ordered) if s.position != new]
    await _apply_edit(session, job, before, ordered, moved, "moved", prices=prices)
    return job


async def regenerate_scene(
    session: AsyncSession,
    org_id: uuid.UUID,
    scene_id: uuid.UUID,
    feedback: str | None,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Scene:
    """Make a scene again with ``feedback``; counts one refinement (``LIMIT_EXCEEDED`` past
    ``refinementsLimit``). Its key image, clip and every clip continuing from it are remade."""
    scene = await get_scene(session, org_id, scene_id)
    job, scenes, _ = await _edit_context(session, org_id, scene.job_id, JobAction.REGENERATE_SCENE)
    scene = next(s for s in scenes if s.id == scene_id)
    _require_idle(scene)
    text = (feedback or "").strip()
    if len(text) > 1000:
        raise Invalid("feedback must be at most 1000 characters", ["feedback"])
    if _CONTROL.search(text):
        raise Invalid("feedback must not contain control characters", ["feedback"])
    before = [_inputs(s) for s in scenes]
    scene.refinements += 1
    scene.feedback = [*scene.feedback, text]
    job.refinements_used += 1
    await _apply_edit(session, job, before, scenes, [scene], "regenerating", prices=prices)
    return scene


async def count_jobs(session: AsyncSession, stmt: Select[Job]) -> int:
    """How many jobs a query matches."""
    return int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


__all__ = [
    "DEFAULT_REFINEMENTS_LIMIT",
    "NewJob",
    "Prepared",
    "SceneFields",
    "add_scene",
    "apply_plan",
    "approve_storyboard",
    "cancel_job",
    "clean_scene_text",
    "create_job",
    "delete_scene",
    "estimate_new_job",
    "export_job",
    "get_job",
    "get_scene",
    "jobs_query",
    "plan_request_for",
    "prepare_job",
    "price_table",
    "regenerate_scene",
    "renders_of",
    "reorder_scenes",
    "retry_job",
    "run_plan",
    "scenes_of",
    "snapshot_from",
    "status_filter",
    "update_scene",
]
