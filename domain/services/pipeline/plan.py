"""PLAN: the brief becomes 3..7 scenes (durations, shots, transitions, texts, assets).

Checkpoint: the job's scenes. A job that has scenes is never planned again; the planner call and
the scenes it produced are stored in one transaction.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AssetStatus, JobEventType, SceneStatus
from domain.models import Asset, Campaign, Client, Job, Scene
from domain.rules.asset_roles import PlanAsset
from domain.rules.budget import money
from domain.rules.planner import Brief, PlanRequest, normalize_plan
from domain.rules.pricing import ProviderKind, SceneWork, estimate_scene
from domain.services.events import record_job_event
from domain.services.pipeline import ledger
from domain.services.pipeline.calls import attempt_call
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.storyboard import fingerprint


async def plan_request(session: AsyncSession, job: Job) -> PlanRequest:
    """What the planner is asked for this job (its brief, shape, brand and READY assets)."""
    client = await session.scalar(
        select(Client)
        .join(Campaign, Campaign.client_id == Client.id)
        .where(Campaign.id == job.campaign_id, Campaign.organization_id == job.organization_id)
    )
    ids: list[uuid.UUID] = []
    for value in job.asset_ids or []:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    rows = (
        list(
            await session.scalars(
                select(Asset).where(
                    Asset.organization_id == job.organization_id,
                    Asset.id.in_(ids),
                    Asset.status == AssetStatus.READY,
                )
            )
        )
        if ids
        else []
    )
    by_id = {a.id: a for a in rows}
    assets = tuple(PlanAsset(str(i), by_id[i].role, by_id[i].kind) for i in ids if i in by_id)
    return PlanRequest(
        brief=Brief.from_dict(job.brief or {}),
        duration_seconds=job.duration_seconds,
        aspect_ratio=job.aspect_ratio,
        scene_count=job.scene_count,
        continuity=job.continuity,
        brand_name=client.name if client else "",
        brand_colors=tuple(client.brand_colors or ()) if client else (),
        assets=assets,
        music_asset_id=str(job.music_asset_id) if job.music_asset_id else None,
        captions=job.captions,
        voiceover=job.voiceover,
    )


async def run(ctx: StageContext) -> None:
    """Plan the job's scenes (once)."""
    deps = ctx.deps
    async with ctx.transaction() as (session, job):
        if await session.scalar(select(exists().where(Scene.job_id == job.id))):
            ctx.reused += 1
            return
        request = await plan_request(session, job)
        ref, planner = deps.providers.planner_for(job.providers)
        choice = deps.providers.choice(job.providers)
    key = ledger.call_key(
        ctx.job_id,
        "plan",
        fingerprint(ref, request.brief, request.duration_seconds, request.aspect_ratio,
                    request.scene_count, request.continuity, request.assets),
    )  # fmt: skip
    spec = ledger.CallSpec(
        key=key,
        stage=ctx.stage,
        operation="plan",
        provider=ref,
        estimate_usd=deps.providers.estimate(ProviderKind.PLANNER, ref),
    )
    call = await ledger.reserve(deps.session_factory, ctx.org_id, ctx.job_id, spec)
    await ctx.report(0.2, "planning scenes", force=True)
    plan = normalize_plan(request, await attempt_call(ctx, call, lambda: planner.plan(request)))
    async with ctx.transaction() as (session, job):
        if await session.scalar(select(exists().where(Scene.job_id == job.id))):
            ctx.reused += 1
            return
        for position, scene in enumerate(plan.scenes):
            session.add(
                Scene(
                    id=uuid.uuid4(),
                    organization_id=job.organization_id,
                    job_id=job.id,
                    position=position,
                    beat=scene.beat,
                    title=scene.title,
                    description=scene.description,
                    script=scene.script,
                    caption=scene.caption,
                    prompt=scene.prompt,
                    shot_type=scene.shot_type,
                    transition=scene.transition,
                    duration_seconds=scene.duration_seconds,
                    continuity=scene.continuity,
                    status=SceneStatus.PENDING,
                    asset_ids=list(scene.asset_ids),
                    estimated_cost_usd=estimate_scene(
                        deps.providers.prices,
                        choice,
                        SceneWork(scene.duration_seconds, len(scene.script)),
                        voiceover=job.voiceover,
                    ),
                )
            )
        if plan.music_asset_id and job.music_asset_id is None:
            job.music_asset_id = uuid.UUID(plan.music_asset_id)
        await ledger.record_success(
            session,
            call.id,
            cost_usd=money(spec.estimate_usd) if spec.estimate_usd else Decimal(0),
            result={"scenes": len(plan.scenes), "notes": list(plan.notes)},
        )
        await session.flush()
        await record_job_event(
            session,
            job,
            JobEventType.PROGRESS,
            f"planned {len(plan.scenes)} scenes",
            payload={"stageProgress": 1.0, "scenes": len(plan.scenes)},
        )
    ctx.produced += 1


__all__ = ["plan_request", "run"]
