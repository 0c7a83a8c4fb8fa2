"""PLAN: the brief becomes 3..7 scenes (durations, shots, transitions, texts, assets).

Checkpoint: the job's scenes. A job that has scenes is never planned again; the planner call is
recorded in the ledger in the same transaction that stores the scenes (``job_stages.planning.apply_plan``).
"""

from __future__ import annotations

from sqlalchemy import exists, select

from domain.models import Scene
from domain.rules.budget import money
from domain.rules.pricing import ProviderKind
from domain.services.job_stages import planning
from domain.services.pipeline import ledger
from domain.services.pipeline.calls import attempt_call
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.shared import fingerprint


async def run(ctx: StageContext) -> None:
    """Plan the job's scenes (once)."""
    deps = ctx.deps
    async with ctx.transaction() as (session, job):
        if await session.scalar(select(exists().where(Scene.job_id == job.id))):
            ctx.reused += 1
            return
        request = await planning.plan_request_for(session, job)
        ref, planner = deps.providers.planner_for(job.providers)
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
    plan = await attempt_call(ctx, call, lambda: planner.plan(request))
    async with ctx.transaction() as (session, job):
        scenes = await planning.apply_plan(session, job, plan, prices=deps.providers.prices)
        await ledger.record_success(
            session,
            call.id,
            cost_usd=money(spec.estimate_usd),
            result={"scenes": len(scenes), "notes": list(plan.notes)},
        )
    ctx.produced += 1
    await ctx.report(1.0, f"planned {len(scenes)} scenes", force=True)


__all__ = ["run"]
