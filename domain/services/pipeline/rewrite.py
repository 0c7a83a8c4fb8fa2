"""REWRITE (the first step of STORYBOARD): the words of scenes regenerated with feedback.

``regenerateScene(feedback)`` counts a refinement and sends the job back to the storyboard; here
the job's planner writes the scene's script and caption again with that feedback (a hosted model,
or the built-in rules of ``domain.rules.scene_rewrite``), before its key image is drawn again.
The new script is what the scene says (its narration set by hand is replaced), so the narration
step synthesises that scene again, and only that one.

Checkpoint: the ledger. One call per scene and refinement, keyed by the planner, the refinement
and its feedback; the new words are stored in the same transaction that records the call's
success, so a rerun (a retry, a crashed worker) never writes or pays for them twice.
"""

from __future__ import annotations

import uuid

from domain.enums import SceneBeat
from domain.errors import DomainError
from domain.models import Job, Scene
from domain.rules.budget import money
from domain.rules.planner import Brief
from domain.rules.pricing import ProviderKind
from domain.rules.scene_rewrite import SceneCopy, SceneRewrite
from domain.services.jobs.queries import scenes_of
from domain.services.jobs.scene_fields import clean_scene_text
from domain.services.jobs.scene_narration import forget_narration, job_line
from domain.services.pipeline import ledger
from domain.services.pipeline.calls import attempt_call
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.shared import fingerprint


def _wants_rewrite(scene: Scene) -> bool:
    return (
        scene.image_asset_id is None
        and scene.refinements > 0
        and bool(scene.feedback)
        and bool(str(scene.feedback[-1]).strip())
    )


async def _rewrite(ctx: StageContext, scene_id: uuid.UUID) -> None:
    deps = ctx.deps
    async with ctx.transaction() as (session, job):
        scene = await session.get(Scene, scene_id, populate_existing=True)
        if scene is None:
            return
        ref, planner = deps.providers.planner_for(job.providers)
        feedback = str(scene.feedback[-1]).strip()
        request = SceneRewrite(
            brief=Brief.from_dict(job.brief or {}),
            beat=scene.beat or SceneBeat.CUSTOM,
            title=scene.title,
            description=scene.description,
            script=job_line(job, scene),
            caption=scene.caption,
            duration_seconds=scene.duration_seconds,
            feedback=feedback,
            voiceover=job.voiceover,
        )
        refinement = scene.refinements
    spec = ledger.CallSpec(
        key=ledger.call_key(
            ctx.job_id, "rewrite", scene_id, fingerprint(ref, refinement, feedback)
        ),
        stage=ctx.stage,
        operation="rewrite",
        provider=ref,
        model=getattr(planner, "model", ""),
        estimate_usd=deps.providers.estimate(ProviderKind.PLANNER, ref),
        scene_id=scene_id,
    )
    call = await ledger.reserve(deps.session_factory, ctx.org_id, ctx.job_id, spec)
    if call.result.get("script") is not None:  # written and stored by an earlier run
        ctx.reused += 1
        return
    copy = await attempt_call(ctx, call, lambda: planner.rewrite_scene(request))
    async with ctx.transaction() as (session, job):
        row = await session.get(Scene, scene_id, populate_existing=True)
        if row is None:
            return
        said = job_line(job, row)
        _apply(job, row, copy)
        if job_line(job, row) != said:
            forget_narration(row)  # only this scene is spoken again
        await ledger.record_success(
            session,
            call.id,
            cost_usd=money(spec.estimate_usd),
            result={"script": row.script, "caption": row.caption, "narration": row.narration},
        )
    ctx.produced += 1


def _apply(job: Job, row: Scene, copy: SceneCopy) -> None:
    """Set the new words on the scene: the script is what it says (the end card, which says
    the call to action, gets the new words as its narration)."""
    try:
        caption = clean_scene_text("caption", copy.caption)
    except DomainError:  # a character the captions cannot draw: the caption stays
        caption = row.caption
    row.script = copy.script
    row.caption = caption or row.caption
    row.narration = None
    if job_line(job, row) != copy.script:
        row.narration = copy.script


async def run(ctx: StageContext) -> None:
    """Write again the words of every scene regenerated with feedback (once per refinement)."""
    async with ctx.transaction() as (session, job):
        todo = [s.id for s in await scenes_of(session, job) if _wants_rewrite(s)]
    for scene_id in todo:
        await _rewrite(ctx, scene_id)


__all__ = ["run"]
