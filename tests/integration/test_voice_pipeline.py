"""An uploaded voice-over is in the finished ad, and the music ducks under it (embedded runner)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest

from domain.adapters.providers.builtin_voice import BuiltinVoice
from domain.adapters.providers.wav import Pcm, concatenate, read_wav, resample, write_wav
from domain.ports.voice import SpeechRequest
from domain.settings import Settings
from tests.conftest import Api
from tests.support.ffmpeg_checks import ffmpeg
from tests.support.pipeline import create_job, download, make_brand, upload, wait_for_job

pytestmark = pytest.mark.slow

RATE = 48_000
LINES = ("Fresh bread every morning.", "Baked in your neighborhood.", "Order yours today!")


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'test.sqlite3'}",
        redis_url=None,
        public_url="http://adreel.test",
        secret_key="test-secret-" + uuid.uuid4().hex,
        render_resolution="P480",
        scene_concurrency=2,
    )


def mono(path: Path) -> np.ndarray:
    raw = subprocess.run(
        [ffmpeg(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "f32le",
         "-ac", "1", "-ar", str(RATE), "-"], capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.float32).astype(np.float64)


def levels(samples: np.ndarray, window: int = RATE // 100) -> np.ndarray:
    count = len(samples) // window
    rms = np.sqrt((samples[: count * window].reshape(count, window) ** 2).mean(1))
    return np.asarray(20 * np.log10(np.maximum(rms, 1e-9)))


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
