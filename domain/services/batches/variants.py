"""``createVariants``: new jobs from a job's storyboard with overrides, in one variant group.

Overrides: the call to action (the brief's, and the end card's text), the hook line (the first
scene's caption and script), the voice (a voice provider; turns the voice-over on), the music,
the aspect ratio, the total duration (scene lengths scaled in proportion) and any scene's caption
and script. Scenes a variant does not change reuse the source's stored key images and clips
(``domain.rules.variants``); the estimate prices only what is made again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import AspectRatio, AssetKind, Resolution, SceneBeat
from domain.errors import DomainError, ErrorCode, Invalid, InvalidState, ValidationErrors
from domain.models import Campaign, Job, Scene, VariantGroup
from domain.rules.budget import within_budget
from domain.rules.durations import clean_job_duration, split_duration, to_ms
from domain.rules.invalidation import SceneInputs
from domain.rules.planner import Brief, clean_brief
from domain.rules.pricing import PriceTable, ProviderChoice, ProviderKind, SceneWork
from domain.rules.variants import changed_cost, reusable
from domain.services.batches.storyboard import JobDraft, SceneDraft, store_job
from domain.services.jobs.inputs import load_assets
from domain.services.jobs.queries import get_job, scenes_of
from domain.services.jobs.scene_fields import clean_scene_text

#: Variants one request may make.
MAX_VARIANTS = 10


@dataclass(frozen=True)
class SceneText:
    """A scene's new caption and/or script, by position (0-based)."""

    position: int
    caption: str | None = None
    script: str | None = None


@dataclass(frozen=True)
class VariantSpec:
    """What one variant changes (``None``: as in the source job)."""

    call_to_action: str | None = None
    hook_line: str | None = None
    voice: str | None = None
    music_asset_id: uuid.UUID | None = None
    aspect_ratio: AspectRatio | None = None
    duration_seconds: float | None = None
    scenes: Sequence[SceneText] = field(default_factory=tuple)


def _inputs(drafts: Sequence[SceneDraft]) -> list[SceneInputs]:
    return [
        SceneInputs(
            id=str(position),
            prompt=d.prompt,
            shot_type=d.shot_type,
            asset_ids=tuple(d.asset_ids),
            duration_ms=to_ms(d.duration_seconds),
            continuity=d.continuity,
            transition=d.transition,
            script=d.script,
            caption=d.caption,
            narration=d.narration,
            refinements=d.refinements,
            character=d.character_asset_id,
        )
        for position, d in enumerate(drafts)
    ]


def _errors_at(errors: list[DomainError], prefix: list[str], exc: DomainError) -> None:
    for error in exc.errors if isinstance(exc, ValidationErrors) else [exc]:
        errors.append(DomainError(error.code, error.message, [*prefix, *(error.field or [])]))


async def _variant(
    session: AsyncSession,
    job: Job,
    scenes: Sequence[Scene],
    spec: VariantSpec,
    client_id: uuid.UUID,
    prices: PriceTable,
    errors: list[DomainError],
    prefix: list[str],
) -> tuple[Brief, list[SceneDraft], dict[str, str], bool, uuid.UUID | None, AspectRatio]:
    """The variant's brief, scenes (outputs to reuse and their cost set), providers, voice-over,
    music and aspect ratio; problems go to ``errors`` under ``prefix``."""
    brief = Brief.from_dict(job.brief)
    drafts = [SceneDraft.of(s) for s in scenes]
    if spec.call_to_action is not None:
        try:
            brief = clean_brief(**{**brief.to_dict(), "call_to_action": spec.call_to_action})
            for draft in drafts:
                if draft.beat is SceneBeat.END_CARD:
                    draft.caption = clean_scene_text("caption", brief.call_to_action[:200])
                    draft.script = brief.call_to_action
        except DomainError as exc:
            errors.append(Invalid(exc.message, [*prefix, "callToAction"]))
    if spec.hook_line is not None:
        hook = next((d for d in drafts if d.beat is SceneBeat.HOOK), drafts[0])
        try:
            hook.caption = clean_scene_text("caption", spec.hook_line)
            hook.script = clean_scene_text("script", spec.hook_line)
        except DomainError as exc:
            errors.append(
                Invalid(exc.message.replace("caption", "hookLine"), [*prefix, "hookLine"])
            )
    for index, text in enumerate(spec.scenes):
        at = [*prefix, "scenes", str(index)]
        if not 0 <= text.position < len(drafts):
            errors.append(Invalid(f"the job has no scene at position {text.position}", at))
            continue
        for name, value in (("caption", text.caption), ("script", text.script)):
            if value is None:
                continue
            try:
                setattr(drafts[text.position], name, clean_scene_text(name, value))
            except DomainError as exc:
                _errors_at(errors, at, exc)
    if spec.duration_seconds is not None:
        try:
            total = clean_job_duration(spec.duration_seconds)
            parts = split_duration(total, [d.duration_seconds for d in drafts])
            for draft, seconds in zip(drafts, parts, strict=True):
                draft.duration_seconds = seconds
        except DomainError as exc:
            _errors_at(errors, prefix, exc)
    providers = ProviderChoice.from_dict(job.providers).to_dict()
    voiceover = job.voiceover
    if spec.voice is not None:
        ref = spec.voice.strip()
        try:
            prices.price(ProviderKind.VOICE, ref)
            providers[ProviderKind.VOICE.value] = ref
            voiceover = True
        except DomainError:
            errors.append(Invalid(f"unknown voice provider {ref[:100]!r}", [*prefix, "voice"]))
    music = job.music_asset_id
    if spec.music_asset_id is not None:
        try:
            (asset,) = await load_assets(
                session, job.organization_id, client_id, [spec.music_asset_id], "music"
            )
            if asset.kind is not AssetKind.AUDIO:
                errors.append(Invalid("music must be an audio asset", [*prefix, "musicAssetId"]))
            music = asset.id
        except ValidationErrors:
            errors.append(
                Invalid("music is not a READY asset of this client", [*prefix, "musicAssetId"])
            )
    aspect = spec.aspect_ratio or job.aspect_ratio
    reuse = reusable(_inputs([SceneDraft.of(s) for s in scenes]), _inputs(drafts),
                     same_size=aspect is job.aspect_ratio)  # fmt: skip
    choice = ProviderChoice.from_dict(providers)
    voice_changed = voiceover and (
        not job.voiceover or providers["voice"] != ProviderChoice.from_dict(job.providers).voice
    )
    for scene, draft, image, clip in zip(scenes, drafts, reuse.images, reuse.clips, strict=True):
        image = image and scene.image_asset_id is not None
        clip = image and clip and scene.clip_asset_id is not None
        clip = clip and scene.last_frame_asset_id is not None
        draft.image_asset_id = scene.image_asset_id if image else None
        draft.clip_asset_id = scene.clip_asset_id if clip else None
        draft.last_frame_asset_id = scene.last_frame_asset_id if clip else None
        if not image:
            draft.refinements, draft.feedback = 0, []
        draft.estimated_cost_usd = changed_cost(
            prices,
            choice,
            SceneWork(draft.duration_seconds, len(draft.script)),
            image=not image,
            clip=not clip,
            voice=voiceover and (voice_changed or draft.script != scene.script),
        )
    return brief, drafts, providers, voiceover, music, aspect


async def create_variants(
    session: AsyncSession,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    specs: Sequence[VariantSpec],
    *,
    prices: PriceTable,
    refinements_limit: int,
    default_resolution: Resolution,
) -> tuple[VariantGroup, list[Job]]:
    """Make one job per spec from the job's storyboard, grouped in a new variant group.

    All or nothing: any invalid spec (errors under ``variants.<n>``) or a variant whose estimate
    is over the source's budget (``BUDGET_EXCEEDED``) creates nothing.
    """
    job = await get_job(session, org_id, job_id)
    if not 1 <= len(specs) <= MAX_VARIANTS:
        raise Invalid(f"give 1 to {MAX_VARIANTS} variants", ["variants"])
    scenes = await scenes_of(session, job)
    if not scenes:
        raise InvalidState("the job has no storyboard yet", ["jobId"])
    campaign = await session.get(Campaign, job.campaign_id)
    assert campaign is not None
    errors: list[DomainError] = []
    built = [
        await _variant(session, job, scenes, spec, campaign.client_id, prices, errors,
                       ["variants", str(index)])
        for index, spec in enumerate(specs)
    ]  # fmt: skip
    if errors:
        raise ValidationErrors(errors)
    group = VariantGroup(id=uuid.uuid4(), organization_id=org_id, source_job_id=job.id)
    session.add(group)
    await session.flush()
    made: list[Job] = []
    for index, (brief, drafts, providers, voiceover, music, aspect) in enumerate(built):
        draft = JobDraft(
            organization_id=org_id,
            campaign_id=job.campaign_id,
            brief=brief.to_dict(),
            aspect_ratio=aspect,
            continuity=job.continuity,
            captions=job.captions,
            voiceover=voiceover,
            music_asset_id=music,
            asset_ids=list(job.asset_ids),
            providers=providers,
            budget_usd=job.budget_usd,
            auto_approve=job.auto_approve,
            approved=job.approved_at is not None,
            refinements_limit=refinements_limit,
            scenes=drafts,
            variant_group_id=group.id,
        )
        if not within_budget(job.budget_usd, draft.estimated_usd):
            raise DomainError(
                ErrorCode.BUDGET_EXCEEDED,
                f"variant {index + 1}'s estimate ${draft.estimated_usd:.2f} is over the budget",
                ["variants", str(index)],
            )
        made.append(
            await store_job(
                session,
                draft,
                default_resolution=default_resolution,
                payload={
                    "variantOf": str(job.id),
                    "variantGroup": str(group.id),
                    "reusedImages": sum(1 for d in drafts if d.image_asset_id is not None),
                    "reusedClips": sum(1 for d in drafts if d.clip_asset_id is not None),
                },
            )
        )
    return group, made


__all__ = ["MAX_VARIANTS", "SceneText", "VariantSpec", "create_variants"]
