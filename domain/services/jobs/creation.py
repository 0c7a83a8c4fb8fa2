"""Creating a job: validate the request, plan it with the built-in planner, price it, store it
(``createJob``), or only tell what it would cost (``estimateJob``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import (
    AspectRatio,
    AssetKind,
    CaptionStyle,
    JobEventType,
    JobStage,
    JobStatus,
    Resolution,
)
from domain.errors import DomainError, ErrorCode, Invalid, NotFound, ValidationErrors
from domain.media.fonts import require_glyphs
from domain.models import Asset, Campaign, Client, Job, Render
from domain.rules.budget import money, within_budget
from domain.rules.durations import clean_job_duration, clean_scene_count
from domain.rules.footage import continue_into_footage
from domain.rules.planner import Brief, Plan, PlanRequest, clean_brief, plan_offline
from domain.rules.pricing import (
    DEFAULT_PRICES,
    JobEstimate,
    PriceTable,
    ProviderChoice,
    SceneWork,
    estimate_job,
)
from domain.services.events import record_job_event
from domain.services.jobs.inputs import (
    brand_kit,
    brand_kit_music,
    collect_errors,
    load_assets,
    plan_asset,
)
from domain.services.stage_queue import request_stage

DEFAULT_REFINEMENTS_LIMIT = 5

MAX_JOB_ASSETS = 50


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
    voice: str | None = None
    caption_style: CaptionStyle | None = None
    features: Sequence[str] = ()


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


async def prepare_job(
    session: AsyncSession,
    org_id: uuid.UUID,
    new: NewJob,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> Prepared:
    """Validate a job request, plan it with the built-in planner, and price it. Writes nothing."""
    errors: list[DomainError] = []
    duration = collect_errors(errors, clean_job_duration, new.duration_seconds)
    scene_count = collect_errors(errors, clean_scene_count, new.scene_count)
    brief = collect_errors(
        errors,
        clean_brief,
        product=new.product,
        audience=new.audience,
        tone=new.tone,
        call_to_action=new.call_to_action,
        language=new.language,
        prompt=new.prompt,
        voice=new.voice,
        caption_style=new.caption_style.value if new.caption_style else None,
        features=new.features,
    )
    errors.extend(  # words shown on screen must be drawable: never empty boxes
        require_glyphs(
            [
                (new.product, ["brief", "product"]),
                (new.call_to_action, ["brief", "callToAction"]),
                *((line, ["brief", "features", str(n)]) for n, line in enumerate(new.features)),
            ]
        )
    )
    budget = collect_errors(errors, _clean_budget, new.budget_usd)
    choice = collect_errors(errors, _clean_choice, prices, new.providers)
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
            assets = await load_assets(
                session,
                org_id,
                campaign.client_id,
                list(new.asset_ids)[:MAX_JOB_ASSETS],
                "assetIds",
            )
        except ValidationErrors as exc:
            errors.extend(exc.errors)
        if not new.asset_ids:  # none named: the brand kit's logo, product shots and character
            assets = await brand_kit(session, org_id, campaign.client_id)
        if new.music_asset_id is not None:
            try:
                (music,) = await load_assets(
                    session, org_id, campaign.client_id, [new.music_asset_id], "music"
                )
                if music.kind is not AssetKind.AUDIO:
                    errors.append(Invalid("music must be an audio asset", ["music"]))
            except ValidationErrors as exc:
                errors.extend(exc.errors)
        elif not new.asset_ids:  # nor music: the brand kit's newest track
            music = await brand_kit_music(session, org_id, campaign.client_id)
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
        assets=tuple(plan_asset(a) for a in assets),
        music_asset_id=str(music.id) if music else None,
        captions=True if new.captions is None else bool(new.captions),
        voiceover=voiceover,
    )
    plan = plan_offline(request)
    videos = {str(a.id) for a in assets if a.kind is AssetKind.VIDEO}
    footage = [bool(videos.intersection(s.asset_ids)) for s in plan.scenes]
    refused = continue_into_footage([s.continuity for s in plan.scenes], footage)
    if refused is not None:
        raise refused
    estimate = estimate_job(
        prices,
        choice,
        [
            SceneWork(s.duration_seconds, len(s.script), has_footage)
            for s, has_footage in zip(plan.scenes, footage, strict=True)
        ],
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
    session.add(Render.default_output(job, default_resolution))
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


__all__ = [
    "DEFAULT_REFINEMENTS_LIMIT",
    "MAX_JOB_ASSETS",
    "NewJob",
    "Prepared",
    "create_job",
    "estimate_new_job",
    "prepare_job",
]
