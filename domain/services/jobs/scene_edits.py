"""Scene edits: change, add, remove, reorder or regenerate scenes of a job.

Only what an edit makes stale is made again (``domain.rules.invalidation``); redoing work already
paid for is priced and checked against the budget; the job goes back to the first stage with
work left and waits for a new approval when it had finished.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import (
    FootageAudio,
    JobAction,
    JobEventType,
    JobStage,
    JobStatus,
    RenderStatus,
    SceneBeat,
    SceneContinuity,
    SceneStatus,
    Transition,
)
from domain.errors import DomainError, ErrorCode, Invalid, InvalidState, NotFound, ValidationErrors
from domain.models import Job, Scene
from domain.rules.budget import money, within_budget
from domain.rules.characters import continue_near_character
from domain.rules.durations import clean_job_duration, require_scene_count, total_seconds
from domain.rules.footage import continue_into_footage
from domain.rules.invalidation import SceneInputs, Stale, stale_after
from domain.rules.job_states import require_action, require_transition
from domain.rules.planner import BEAT_SHOT, SHOT_WORDS, Brief
from domain.rules.pricing import (
    DEFAULT_PRICES,
    PriceTable,
    ProviderChoice,
    ProviderKind,
    SceneWork,
    estimate_job,
)
from domain.services.events import record_job_event
from domain.services.job_stages import RUNNING_SCENE_STATUSES, job_snapshot, stored_scene_status
from domain.services.jobs.lifecycle import move_to_stage
from domain.services.jobs.queries import get_job, get_scene, renders_of, scenes_of
from domain.services.jobs.scene_fields import CONTROL_CHARACTERS, SceneFields, set_fields
from domain.services.jobs.scene_inputs import scene_inputs
from domain.services.jobs.scene_narration import forget_narration, job_line, require_narration_fits


async def _edit_context(
    session: AsyncSession, org_id: uuid.UUID, job_id: uuid.UUID, action: JobAction
) -> tuple[Job, list[Scene], list[Scene]]:
    """Lock the job, check the action, and return it with its scenes (and a copy of the order)."""
    job = await get_job(session, org_id, job_id, for_update=True)
    require_action(await job_snapshot(session, job), action)
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
    A scene cut from footage remakes its image and clip for free.

    ``BUDGET_EXCEEDED`` when spending it would take the job past its budget.
    """
    choice = ProviderChoice.from_dict(job.providers)
    image = prices.price(ProviderKind.IMAGE, choice.image)
    video = prices.price(ProviderKind.VIDEO, choice.video)
    total = Decimal(0)
    for scene in scenes:
        key = str(scene.id)
        cost = Decimal(0)
        if scene.footage_asset_id is not None:
            continue
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
    refused = continue_into_footage(
        [s.continuity for s in scenes], [s.footage_asset_id is not None for s in scenes]
    )
    refused = refused or continue_near_character(
        [s.continuity for s in scenes],
        [str(s.character_asset_id) if s.character_asset_id else None for s in scenes],
    )
    if refused is not None:
        raise refused
    total = total_seconds([s.duration_seconds for s in scenes])
    clean_job_duration(total, "durationSeconds")
    job.duration_seconds = total
    stale = stale_after(before, [scene_inputs(s, job.providers) for s in scenes])
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
            scene.clear_error()
    if stale.composition or stale.clips:
        job.composition_asset_id = None
        job.product_screen_share = None
        for render in await renders_of(session, job):
            if render.status is not RenderStatus.QUEUED or render.asset_id is not None:
                render.status = RenderStatus.QUEUED
                render.progress = 0.0
                render.asset_id = None
                render.completed_at = None
                render.clear_error()
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
            await move_to_stage(session, job, JobStage.STORYBOARD, "new key images needed")
    elif job.status is JobStatus.COMPLETED:
        require_transition(job.status, JobStatus.STORYBOARD_READY)
        job.status = JobStatus.STORYBOARD_READY
        job.stage = None
        await session.flush()
        await record_job_event(
            session, job, JobEventType.STORYBOARD_READY, "edited: approve to render again"
        )
    return stale


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
    continuity a new clip, a new caption, script or transition only a new composition. New
    words to say (``narration``, or the script a scene says) are checked against the ad's time
    first and make only this scene's narration stale."""
    scene = await get_scene(session, org_id, scene_id)
    job, scenes, _ = await _edit_context(session, org_id, scene.job_id, JobAction.EDIT_SCENES)
    scene = next(s for s in scenes if s.id == scene_id)
    _require_idle(scene)
    before = [scene_inputs(s, job.providers) for s in scenes]
    said = job_line(job, scene)
    errors = await set_fields(session, job, scene, fields)
    if errors:
        raise ValidationErrors(errors)
    if job_line(job, scene) != said:
        forget_narration(scene)  # only this scene is spoken again
        field = "narration" if fields.given("narration") else "script"
        require_narration_fits(job, scenes, scene, field)
    elif fields.given("duration_seconds"):
        require_narration_fits(job, scenes, scene, "durationSeconds")
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
    before = [scene_inputs(s, job.providers) for s in scenes]
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
        footage_audio=FootageAudio.MUTE,
        refinements=0,
        feedback=[],
        estimated_cost_usd=Decimal(0),
        actual_cost_usd=Decimal(0),
    )
    errors = await set_fields(session, job, scene, fields)
    if errors:
        raise ValidationErrors(errors)
    if job_line(job, scene):
        require_narration_fits(job, [*scenes[:position], scene, *scenes[position:]], scene,
                               "narration" if fields.given("narration") else "script")  # fmt: skip
    choice = ProviderChoice.from_dict(job.providers)
    scene_estimate = estimate_job(
        prices,
        choice,
        [SceneWork(scene.duration_seconds, len(scene.script), scene.footage_asset_id is not None)],
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
    before = [scene_inputs(s, job.providers) for s in scenes]
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
    before = [scene_inputs(s, job.providers) for s in scenes]
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
    ``refinementsLimit``). Its key image, clip and every clip continuing from it are remade; a
    scene cut from uploaded footage returns to a generated clip (the footage leaves the scene)."""
    scene = await get_scene(session, org_id, scene_id)
    job, scenes, _ = await _edit_context(session, org_id, scene.job_id, JobAction.REGENERATE_SCENE)
    scene = next(s for s in scenes if s.id == scene_id)
    _require_idle(scene)
    text = (feedback or "").strip()
    if len(text) > 1000:
        raise Invalid("feedback must be at most 1000 characters", ["feedback"])
    if CONTROL_CHARACTERS.search(text):
        raise Invalid("feedback must not contain control characters", ["feedback"])
    before = [scene_inputs(s, job.providers) for s in scenes]
    if scene.footage_asset_id is not None:
        scene.asset_ids = [i for i in scene.asset_ids if i != str(scene.footage_asset_id)]
        scene.footage_asset_id = None
        scene.trim_start_seconds = None
    scene.refinements += 1
    scene.feedback = [*scene.feedback, text]
    job.refinements_used += 1
    await _apply_edit(session, job, before, scenes, [scene], "regenerating", prices=prices)
    return scene


__all__ = ["add_scene", "delete_scene", "regenerate_scene", "reorder_scenes", "update_scene"]
