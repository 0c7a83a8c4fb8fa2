"""The PLAN stage's writes: what the planner is asked, and its plan stored as the job's scenes.

The pipeline's PLAN stage (``domain.services.pipeline.plan``) calls these; the stage transitions
around it (started, done, failed) are the other modules of this package.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AssetKind, FootageAudio, JobEventType, SceneStatus
from domain.models import Asset, Campaign, Client, Job, Scene
from domain.ports.providers import PlannerProvider
from domain.rules.durations import total_seconds
from domain.rules.planner import Brief, Plan, PlanRequest, normalize_plan
from domain.rules.pricing import DEFAULT_PRICES, PriceTable, ProviderChoice, SceneWork, estimate_job
from domain.services.events import record_job_event
from domain.services.jobs.inputs import plan_asset
from domain.services.jobs.queries import scenes_of


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
        assets=tuple(plan_asset(a) for a in sorted(assets, key=lambda a: order[a.id])),
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
    videos = {a.id for a in request.assets if a.kind is AssetKind.VIDEO}
    footage = [next((i for i in s.asset_ids if i in videos), None) for s in plan.scenes]
    estimate = estimate_job(
        prices,
        choice,
        [
            SceneWork(s.duration_seconds, len(s.script), f is not None)
            for s, f in zip(plan.scenes, footage, strict=True)
        ],
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
            character_asset_id=(
                uuid.UUID(planned.character_asset_id) if planned.character_asset_id else None
            ),
            footage_asset_id=uuid.UUID(footage[position]) if footage[position] else None,
            footage_audio=FootageAudio.MUTE,
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


__all__ = ["apply_plan", "plan_request_for", "run_plan"]
