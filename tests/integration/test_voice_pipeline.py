"""An uploaded voice-over is in the finished ad, and the music ducks under it (embedded runner)."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest

from domain.adapters.providers.builtin_voice import BuiltinVoice
from domain.adapters.providers.wav import Pcm, concatenate, read_wav, resample, write_wav
from domain.ports.voice import SpeechRequest
from domain.settings import Settings
from tests.conftest import Api
from tests.support.ffmpeg_checks import AUDIO_RATE as RATE
from tests.support.ffmpeg_checks import levels, mono
from tests.support.pipeline import (
    create_job,
    download,
    make_brand,
    rendering_settings,
    upload,
    wait_for_job,
)

pytestmark = pytest.mark.slow

LINES = ("Fresh bread every morning.", "Baked in your neighborhood.", "Order yours today!")


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return rendering_settings(data_dir, scene_concurrency=2)


async def narration(path: Path) -> Path:
    voice = BuiltinVoice()
    parts = []
    for index, line in enumerate(LINES):
        speech = await voice.synthesize(SpeechRequest(line), path.with_name(f"line{index}.wav"))
        parts.append(read_wav(speech.path))
    lead = Pcm(np.zeros(RATE // 2, np.float32), RATE)
    write_wav(
        concatenate([resample(lead, parts[0].sample_rate), *parts], [0.0, 1.0, 1.0, 0.0]), path
    )
    return path


async def test_uploaded_voiceover_is_mixed_in_with_ducking(
    api: Api, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    brand = await make_brand(api, tmp_path / "kit", music_seconds=10)
    source = await narration(tmp_path / "kit" / "voice.wav")
    voice_id = await upload(api, source, "VOICEOVER", brand.campaign_id)
    job_id = await create_job(
        api, brand, durationSeconds=9.0, assetIds=[brand.logo, brand.products[0], voice_id]
    )
    job = await wait_for_job(api, job_id, {"COMPLETED"}, timeout=600)
    ad = mono(await download(http, job["output"]["asset"]["url"], tmp_path / "ad.mp4"))
    voice = mono(source)
    voice = np.pad(voice, (0, max(0, len(ad) - len(voice))))[: len(ad)]

    # the voice is in the ad: correlation at the best lag within 50 ms, over the whole ad and
    # over the stretches where the voice speaks (the music alone elsewhere dilutes the first)
    lag = max(range(-2400, 2401, 48), key=lambda k: float(np.dot(np.roll(voice, k), ad)))
    voice = np.roll(voice, lag)
    speaking = levels(voice) > -40
    spoken = np.repeat(speaking, RATE // 100)[: len(ad)]
    spoken = np.pad(spoken, (0, len(ad) - len(spoken)))
    whole = float(np.corrcoef(voice, ad)[0, 1])
    during = float(np.corrcoef(voice[spoken], ad[spoken])[0, 1])
    print(f"correlation with the uploaded voice-over: {whole:.2f} (while it speaks: {during:.2f})")
    assert whole > 0.3 and during > 0.6

    # the music under it: the ad less its voice part (least squares), under speech vs between
    gain = float(np.dot(ad, voice) / np.dot(voice, voice))
    music = levels(ad - gain * voice)
    active = np.flatnonzero(speaking)
    between = np.array(
        [((active > i - 50) & (active < i + 10)).sum() == 0 for i in range(len(speaking))]
    )
    between[:100] = False  # the music fades in over the first second
    between[-200:] = False  # and out over the last two
    ducking = float(np.median(music[between]) - np.median(music[speaking]))
    print(f"music ducked by {ducking:.1f} dB under the voice-over")
    assert between.sum() > 30 and ducking >= 6.0
