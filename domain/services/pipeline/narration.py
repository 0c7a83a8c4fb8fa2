"""NARRATION (the first step of CLIPS): each scene's script spoken, and the scenes refitted to it.

Runs for jobs with ``voiceover`` after the storyboard is approved and before any clip is made,
because the clips are cut to the scene durations the speech decides:

1. every scene's line (its narration, else its script; the end card speaks the call to action;
   see ``jobs.scene_narration``) is synthesised by the
   job's voice provider, one ledgered call per scene keyed by job, scene, provider, voice,
   language, text and speed, so a stored narration is never synthesised or paid for twice;
2. :func:`domain.rules.narration.fit_scenes` adapts the scene durations to the spoken lengths,
   the ad keeping exactly its duration; when the ad is too short at a natural pace, every line
   is spoken again a little faster (never beyond ``MAX_SPEED``);
3. each scene keeps its WAV (a NARRATION asset) and its word timings (``scenes.narration_words``,
   seconds from the start of the WAV) for the composition and the captions. After an edit, a
   clip cut to a length the new fit changed is made again (the others are kept).

A job given an uploaded VOICEOVER asset is not narrated: the upload is its voice.

Checkpoint: ``scenes.narration_asset_id`` plus the ledger: a rerun reuses every stored line.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.enums import AssetKind, AssetRole
from domain.errors import ErrorCode
from domain.models import Scene
from domain.ports.voice import SpeechRequest, VoiceProvider
from domain.rules.budget import money
from domain.rules.captions import WordTiming
from domain.rules.invalidation import stale_after
from domain.rules.narration import MAX_SPEED, fit_scenes
from domain.rules.pricing import ProviderKind
from domain.services.job_stages import stored_scene_status
from domain.services.jobs.queries import scenes_of
from domain.services.jobs.scene_inputs import scene_inputs
from domain.services.jobs.scene_narration import spoken_line
from domain.services.pipeline import files, ledger
from domain.services.pipeline.brand import brief_text, resolve_brand
from domain.services.pipeline.calls import attempt_call
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.errors import StageError
from domain.services.pipeline.shared import fingerprint, scene_seed


@dataclass(frozen=True, slots=True)
class Line:
    """What one scene says."""

    scene_id: uuid.UUID
    position: int
    text: str


@dataclass(frozen=True, slots=True)
class Spoken:
    """One stored narration: its asset, its length and its words."""

    asset_id: uuid.UUID
    seconds: float
    words: tuple[WordTiming, ...]


@dataclass(frozen=True, slots=True)
class _Voice:
    ref: str
    provider: VoiceProvider
    voice: str
    language: str


def words_to_json(words: tuple[WordTiming, ...]) -> list[dict[str, Any]]:
    """Word timings as stored on a scene."""
    return [{"text": w.text, "start": round(w.start, 4), "end": round(w.end, 4)} for w in words]


def words_from_json(raw: list[dict[str, Any]] | None) -> tuple[WordTiming, ...]:
    """Word timings read back from a scene."""
    return tuple(WordTiming(str(w["text"]), float(w["start"]), float(w["end"])) for w in raw or ())


async def _speak(ctx: StageContext, line: Line, voice: _Voice, speed: float) -> Spoken:
    """One scene's line spoken at ``speed``: reused from the ledger, else synthesised once."""
    deps = ctx.deps
    request = SpeechRequest(
        line.text, voice.voice, voice.language, speed, seed=scene_seed(line.scene_id)
    )
    key = ledger.call_key(
        ctx.job_id,
        "voice",
        line.scene_id,
        fingerprint(voice.ref, voice.voice, voice.language, f"{speed:.3f}", line.text),
    )
    spec = ledger.CallSpec(
        key=key,
        stage=ctx.stage,
        operation="voice",
        provider=voice.ref,
        model=getattr(voice.provider, "model", ""),
        estimate_usd=deps.providers.estimate(ProviderKind.VOICE, voice.ref, chars=len(line.text)),
        scene_id=line.scene_id,
    )
    call = await ledger.reserve(deps.session_factory, ctx.org_id, ctx.job_id, spec)
    if call.asset_id is not None and call.result.get("words") is not None:
        ctx.reused += 1
        return Spoken(
            call.asset_id,
            float(call.result.get("seconds", 0.0)),
            words_from_json(call.result["words"]),
        )
    output = ctx.work / f"voice-{line.scene_id.hex}-{speed:.3f}.wav"
    speech = await attempt_call(ctx, call, lambda: voice.provider.synthesize(request, output))
    uploaded = await files.upload(
        deps.storage,
        ctx.org_id,
        files.Output(
            speech.path,
            "audio/wav",
            AssetKind.AUDIO,
            duration_seconds=speech.duration_seconds,
            audio_codec="pcm_s16le",
        ),
    )
    try:
        async with ctx.transaction() as (session, job):
            asset = await files.add_asset(
                session,
                job,
                uploaded,
                AssetRole.NARRATION,
                filename=f"scene-{line.position + 1}-narration.wav",
            )
            await ledger.record_success(
                session,
                call.id,
                cost_usd=money(Decimal(str(speech.cost_usd))),
                asset_id=asset.id,
                result={
                    "seconds": speech.duration_seconds,
                    "timing": speech.timing,
                    "words": words_to_json(speech.words),
                },
            )
    except BaseException:
        await files.discard(deps.storage, uploaded)
        raise
    speech.path.unlink(missing_ok=True)
    ctx.produced += 1
    return Spoken(uploaded.asset_id, speech.duration_seconds, speech.words)


async def _speak_all(
    ctx: StageContext, lines: list[Line], voice: _Voice, speed: float
) -> list[Spoken]:
    spoken: list[Spoken] = []
    for index, line in enumerate(lines):
        spoken.append(await _speak(ctx, line, voice, speed))
        await ctx.report((index + 1) / len(lines) * 0.3, "narrating", force=True)
    return spoken


async def run(ctx: StageContext) -> None:
    """Narrate the scenes of a voiced job and fit their durations to the speech (once)."""
    async with ctx.transaction() as (session, job):
        if not job.voiceover:
            return
        scenes = await scenes_of(session, job)
        if not scenes:
            raise StageError(ErrorCode.INVALID_STATE.value, "the job has no scenes")
        if (await resolve_brand(session, job, scenes)).voiceover_id is not None:
            return  # an uploaded voice-over is the narration: nothing to synthesise
        brief = job.brief or {}
        cta = brief_text(brief, "call_to_action")
        lines = [Line(s.id, s.position, spoken_line(s, cta)) for s in scenes]
        planned = [s.duration_seconds for s in scenes]
        total = job.duration_seconds
        ref, provider = ctx.deps.providers.voice_for(job.providers)
        voice = _Voice(
            ref,
            provider,
            brief_text(brief, "voice") or "",
            brief_text(brief, "language") or "en",
        )
    spoken_lines = [line for line in lines if line.text]
    by_scene = {
        line.scene_id: s
        for line, s in zip(
            spoken_lines, await _speak_all(ctx, spoken_lines, voice, 1.0), strict=True
        )
    }
    lengths = [
        by_scene[line.scene_id].seconds if line.scene_id in by_scene else 0.0 for line in lines
    ]
    fit = fit_scenes(planned, lengths, total=total, max_speed=MAX_SPEED)
    if fit.speed > 1.0:  # the ad is short for its words: say every line a little faster
        faster = await _speak_all(ctx, spoken_lines, voice, fit.speed)
        by_scene = {line.scene_id: s for line, s in zip(spoken_lines, faster, strict=True)}
        lengths = [
            by_scene[line.scene_id].seconds if line.scene_id in by_scene else 0.0 for line in lines
        ]
        fit = fit_scenes(fit.durations, lengths, total=total, max_speed=1.0)
    async with ctx.transaction() as (session, job):
        rows = {s.id: s for s in await scenes_of(session, job)}
        ordered = [rows[line.scene_id] for line in lines if line.scene_id in rows]
        before = [scene_inputs(s) for s in ordered]
        for line, duration in zip(lines, fit.durations, strict=True):
            scene = rows.get(line.scene_id)
            if scene is None:
                continue
            spoken = by_scene.get(line.scene_id)
            scene.narration_asset_id = spoken.asset_id if spoken else None
            scene.narration_words = words_to_json(spoken.words) if spoken else None
            if abs(scene.duration_seconds - duration) > 1e-6:
                scene.duration_seconds = duration
        _forget_stale_clips(ordered, stale_after(before, [scene_inputs(s) for s in ordered]).clips)


def _forget_stale_clips(scenes: list[Scene], stale: frozenset[str]) -> None:
    """Clips cut to a scene length the narration changed (after an edit) are made again."""
    for scene in scenes:
        if str(scene.id) in stale and scene.clip_asset_id is not None:
            scene.clip_asset_id = None
            scene.last_frame_asset_id = None
            scene.status = stored_scene_status(scene)


__all__ = ["Line", "Spoken", "run", "spoken_line", "words_from_json", "words_to_json"]
