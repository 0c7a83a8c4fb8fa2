"""A job with ``voiceover`` speaks: one built-in narration per scene, scenes fitted to the speech,
the music ducked under it, captions timed to the words (embedded runner, real FFmpeg output)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from domain.adapters.providers.wav import Pcm
from domain.bootstrap import Container
from domain.enums import AssetRole, JobStage
from domain.media.timing import DEFAULT_FPS, plan_timeline
from domain.models import Asset, Scene
from domain.models.pipeline import ProviderCall
from domain.rules.captions import caption_cues, shift
from domain.rules.narration import LEAD_SECONDS
from domain.services.pipeline import narration
from domain.services.pipeline.context import StageContext
from domain.services.pipeline.narration import words_from_json
from domain.settings import Settings
from schema.ids import decode_id
from tests.conftest import Api
from tests.support.ffmpeg_checks import AUDIO_RATE as RATE
from tests.support.ffmpeg_checks import ffmpeg, levels, mono
from tests.support.pipeline import (
    create_job,
    download,
    integrated_loudness,
    make_brand,
    rendering_settings,
    wait_for_job,
)
from tests.support.speech import transcribe, word_error_rate, words

pytestmark = pytest.mark.slow

DURATION = 12.0
#: Script words pocketsphinx finds in the finished ad's audio (the ducked music under the voice
#: makes it a hard test for a small recogniser: measured 4 of 15)
MIN_WORDS_HEARD = 3
CAPTION_FILES = """
query ($id: ID!) { node(id: $id) { ... on Job { captionFiles { filename url } } } }
"""


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


def small_gray_frames(path: Path) -> np.ndarray:
    """Every frame, scaled down to 96 pixels wide, as grey levels (n, h, w)."""
    raw = subprocess.run(
        [ffmpeg(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0", "-vf",
         "scale=96:170,format=gray", "-fps_mode", "passthrough", "-f", "rawvideo", "-"],
        capture_output=True, check=True, timeout=300,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, 170, 96).astype(np.float64)


def cue_times(text: str) -> list[tuple[float, float]]:
    """(start, end) seconds of every cue of an SRT or WebVTT file."""
    found = re.findall(r"(\d+):(\d\d):(\d\d)[,.](\d{3}) --> (\d+):(\d\d):(\d\d)[,.](\d{3})", text)
    return [
        (
            int(a) * 3600 + int(b) * 60 + int(c) + int(d) / 1000,
            int(e) * 3600 + int(f) * 60 + int(g) + int(h) / 1000,
        )
        for a, b, c, d, e, f, g, h in found
    ]


async def test_voiced_job_speaks_with_ducked_music_and_timed_captions(
    api: Api, http: httpx.AsyncClient, container: Container, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=14)
    job_id = await create_job(
        api, brand, durationSeconds=DURATION, sceneCount=3, voiceover=True, captions=True
    )
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=900)
    ad_path = await download(http, job["output"]["asset"]["url"], tmp_path / "ad.mp4")
    ad = mono(ad_path)
    job_uuid = decode_id(job_id, "Job")

    async with container.session_factory() as session:
        scenes = list(
            await session.scalars(
                select(Scene).where(Scene.job_id == job_uuid).order_by(Scene.position)
            )
        )
        calls = list(
            await session.scalars(
                select(ProviderCall).where(
                    ProviderCall.job_id == job_uuid, ProviderCall.operation == "voice"
                )
            )
        )
        narrations = {
            a.id: a
            for a in await session.scalars(
                select(Asset).where(Asset.job_id == job_uuid, Asset.role == AssetRole.NARRATION)
            )
        }

    # the scenes were fitted to the speech and still add up to the ad's duration exactly
    assert round(sum(s.duration_seconds for s in scenes), 3) == DURATION
    assert all(s.narration_asset_id in narrations and s.narration_words for s in scenes)
    # one voice call per scene, each made once
    assert len(calls) == len(scenes) and all(c.attempts == 1 for c in calls)

    # the narration is in the ad: each stored WAV placed at its scene's start, then correlated
    timeline = plan_timeline(
        [s.duration_seconds for s in scenes], [s.transition for s in scenes], fps=DEFAULT_FPS
    )
    voice = np.zeros(len(ad))
    spoken_words = []
    for index, scene in enumerate(scenes):
        assert scene.narration_asset_id is not None
        local = tmp_path / f"narration-{index}.wav"
        storage_key = narrations[scene.narration_asset_id].storage_key
        assert storage_key is not None
        await container.storage.read_to_file(storage_key, local)
        part = mono(local)
        # where the mix puts it: the engine delays each voice by whole milliseconds
        start = round((timeline.start_seconds(index) + LEAD_SECONDS) * 1000) * RATE // 1000
        end = min(len(voice), start + len(part))
        voice[start:end] += part[: end - start]
        spoken_words.append(shift(words_from_json(scene.narration_words), start / RATE))
    coarse = max(range(-2400, 2401, 48), key=lambda k: float(np.dot(np.roll(voice, k), ad)))
    lag = max(range(coarse - 48, coarse + 49), key=lambda k: float(np.dot(np.roll(voice, k), ad)))
    voice = np.roll(voice, lag)
    speaking = levels(voice) > -40
    spoken = np.repeat(speaking, RATE // 100)[: len(ad)]
    spoken = np.pad(spoken, (0, len(ad) - len(spoken)))
    during = float(np.corrcoef(voice[spoken], ad[spoken])[0, 1])
    print(f"correlation with the narration while it speaks: {during:.2f}")
    assert during > 0.6

    # an offline recogniser understands the narration in the ad's audio, music and all
    pairs = []
    for index, scene in enumerate(scenes):
        segment = ad[
            round(timeline.start_seconds(index) * RATE) : round(timeline.end_seconds(index) * RATE)
        ]
        pairs.append(
            (
                narration.spoken_line(scene, "Shop now"),
                transcribe(Pcm(segment.astype(np.float32), RATE)),
            )
        )
    wer = word_error_rate(pairs)
    heard = sum(len(set(words(said)) & set(words(text))) for text, said in pairs)
    print(f"recogniser on the ad's audio, music under it: WER {wer:.0%}, {heard} words: {pairs}")
    assert heard >= MIN_WORDS_HEARD

    # the music ducks under the speech: its level while the voice speaks against its level
    # between lines once the ducker has let go (1.3 s after a line; its release takes ~1.2 s)
    gain = float(np.dot(ad, voice) / np.dot(voice, voice))
    music = levels(ad - gain * voice)
    active = np.flatnonzero(speaking)
    between = np.array(
        [((active > i - 130) & (active < i + 10)).sum() == 0 for i in range(len(speaking))]
    )
    between[:100] = False
    between[-200:] = False
    ducking = float(np.median(music[between]) - np.median(music[speaking[: len(music)]]))
    print(f"music ducked by {ducking:.1f} dB under the narration")
    assert between.sum() > 30 and ducking >= 6.0

    loudness = integrated_loudness(ad_path)
    print(f"integrated loudness {loudness:.1f} LUFS")
    assert abs(loudness + 14.0) <= 1.0

    # SRT and WebVTT: cues within one frame of the phrases' spoken words
    expected = [c for w in spoken_words for c in caption_cues(w, DEFAULT_FPS)]
    response = await api(CAPTION_FILES, {"id": job_id})
    files = response["data"]["node"]["captionFiles"]
    assert [f["filename"] for f in files] == ["captions.srt", "captions.vtt"]
    frame = 1 / DEFAULT_FPS
    for item in files:
        text = (await download(http, item["url"], tmp_path / item["filename"])).read_text()
        times = cue_times(text)
        assert len(times) == len(expected)
        for (begins, ends), cue in zip(times, expected, strict=True):
            assert abs(begins - cue.start) <= frame and abs(ends - cue.end) <= frame

    # the burned-in captions change on the frame each cue starts: the bottom of the picture (where
    # the caption box is) jumps there while the top does not (cues at a cut or under the card aside)
    gray = small_gray_frames(ad_path)
    bottom = np.abs(np.diff(gray[:, gray.shape[1] * 3 // 5 :], axis=0)).mean(axis=(1, 2))
    top = np.abs(np.diff(gray[:, : gray.shape[1] * 2 // 5], axis=0)).mean(axis=(1, 2))
    cuts = [round(timeline.start_seconds(i) * DEFAULT_FPS) for i in range(len(scenes))]
    card = min(  # the end card hides the cues under it
        round(timeline.start_seconds(len(scenes) - 1) * DEFAULT_FPS),
        round((DURATION - 2.5) * DEFAULT_FPS),
    )
    checked = 0
    for cue in expected:
        k = cue.start_frame
        if k >= card - 2 or any(abs(k - c) <= 3 for c in cuts):
            continue
        at = k - 1 + int(np.argmax(bottom[k - 2 : k + 1]))  # the frame the picture changes on
        jump = bottom[at - 1]  # frame ``at`` against the one before
        calm = float(np.median(bottom[max(0, k - 10) : k - 3]))
        print(f"cue {cue.text!r} due at frame {k}, drawn from frame {at}: the bottom changes by "
              f"{jump:.1f} (else {calm:.1f}), the top by {top[at - 1]:.1f}")  # fmt: skip
        if top[at - 1] * 2 >= jump:  # the whole picture moves here (a transition): not telling
            continue
        # within one frame of the cue: a kinetic caption fades in, so its first frame can be the
        # faint one and the largest change the next
        assert abs(at - k) <= 1 and jump > 3 * max(calm, 0.3)
        checked += 1
    assert checked >= 1

    # running the narration step again synthesises and pays for nothing
    before = {c.id: c.attempts for c in calls}
    ctx = StageContext(
        container.pipeline, job_uuid, scenes[0].organization_id, JobStage.CLIPS, "t", tmp_path
    )
    await narration.run(ctx)
    assert ctx.produced == 0 and ctx.reused == len(scenes)
    async with container.session_factory() as session:
        again = list(
            await session.scalars(
                select(ProviderCall).where(
                    ProviderCall.job_id == job_uuid, ProviderCall.operation == "voice"
                )
            )
        )
    assert {c.id: c.attempts for c in again} == before
