"""Narration over music, measured on the rendered audio: ducking depth and shape, loudness.

The mix is rendered by the media engine's own builders (``domain.media.audio``), once with the
music and once without it; mixing is linear, so their difference is exactly the ducked music,
measured where the voice speaks and between its phrases.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import numpy as np
import pytest

from domain.adapters.providers.builtin_voice import BuiltinVoice
from domain.media import audio
from domain.media.inputs import wav
from domain.media.types import MediaInput
from domain.ports.voice import SpeechRequest
from tests.support.ffmpeg_checks import levels, make, mono, run

LINES = ("Fresh bread every morning.", "Baked in your neighborhood.", "Order yours today!")
STARTS = (0.6, 3.6, 6.6)
DURATION = 10.0
WINDOW = 0.01  # 10 ms


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("mix")
    voice = BuiltinVoice()
    cues = []
    for index, (line, start) in enumerate(zip(LINES, STARTS, strict=True)):
        speech = asyncio.run(voice.synthesize(SpeechRequest(line), work / f"line{index}.wav"))
        assert speech.duration_seconds < 2.8
        cues.append(audio.VoiceCue(wav(speech.path), start))
    bed = work / "music.wav"
    make("-f", "lavfi", "-i", f"anoisesrc=color=pink:amplitude=0.25:duration={DURATION}:seed=7",
         "-f", "lavfi", "-i", f"sine=frequency=110:duration={DURATION}",
         "-filter_complex", "[0][1]amix=inputs=2:normalize=0,lowpass=f=4000", "-c:a", "pcm_s16le",
         str(bed))  # fmt: skip
    music = MediaInput(bed, "wav")
    paths = {name: work / f"{name}.wav" for name in ("mix", "voice", "bed", "final")}
    measured = run(
        *audio.audio_mix_args(
            audio.AudioMixSpec(DURATION, paths["mix"], music, tuple(cues)),
            measure=audio.WEB_LOUDNESS,
        )
    )
    make(*audio.audio_mix_args(audio.AudioMixSpec(DURATION, paths["voice"], None, tuple(cues))))
    # the bed as it is mixed under a voice, before ducking: the reference for the music's gain
    level = audio.AudioMixSpec(DURATION, paths["mix"]).music_volume_under_voice
    make(
        *audio.audio_mix_args(audio.AudioMixSpec(DURATION, paths["bed"], music, music_volume=level))
    )
    measure = audio.parse_loudnorm(measured.stderr)
    # pass two as the composition applies it, to a WAV of its own
    make("-i", str(paths["mix"]), "-af", audio.loudness_apply_filter(measure), str(paths["final"]))
    return paths


def test_music_ducks_at_least_6_db_under_the_voice(mixed: dict[str, Path]) -> None:
    mix, voice = mono(mixed["mix"]), mono(mixed["voice"])
    music = mix - voice  # exactly the ducked music bed
    voice_db, music_db = levels(voice), levels(music)
    speaking = voice_db > -40
    # between phrases: no voice for 0.5 s before (release) and 0.1 s after (attack) the window
    active = np.flatnonzero(speaking)
    between = np.zeros_like(speaking)
    for index in range(len(speaking)):
        near = active[(active > index - 50) & (active < index + 10)]
        between[index] = near.size == 0
    between[: round(1.0 / WINDOW)] = False  # the music's fade-in
    between[-round(2.0 / WINDOW) :] = False  # and its fade-out
    under = float(np.median(music_db[speaking]))
    free = float(np.median(music_db[between]))
    ducking = free - under
    print(
        f"music between phrases {free:.1f} dBFS, under speech {under:.1f} dBFS: ducked {ducking:.1f} dB"
    )
    assert speaking.sum() > 200 and between.sum() > 50
    assert ducking >= 6.0


def test_ducking_moves_smoothly(mixed: dict[str, Path]) -> None:
    """The music's gain falls within tens of milliseconds and comes back over a few hundred:
    no click when the voice starts, no pumping between words."""
    mix, voice, bed = mono(mixed["mix"]), mono(mixed["voice"]), mono(mixed["bed"])
    gain = levels(mix - voice, 0.005) - levels(bed, 0.005)  # dB, per 5 ms
    steps = np.abs(np.diff(gain[round(1.0 / 0.005) : -round(2.0 / 0.005)]))
    # release after the first phrase: from its deepest point back to within 1 dB of unity
    first_end = STARTS[1] - 0.3
    window = gain[round(STARTS[0] / 0.005) : round(first_end / 0.005)]
    bottom = int(np.argmin(window))
    back = next(i for i in range(bottom, len(window)) if window[i] > -1.0) - bottom
    print(f"largest gain change per 5 ms {steps.max():.1f} dB; release {back * 5} ms")
    assert steps.max() < 6.0
    assert back * 0.005 >= 0.1


def test_mix_is_at_web_loudness(mixed: dict[str, Path]) -> None:
    done = run("-i", str(mixed["final"]), "-af", "ebur128=peak=true", "-f", "null", "-")
    summary = done.stderr[done.stderr.rfind("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    print(f"integrated {integrated:.1f} LUFS, true peak {peak:.1f} dBTP")
    assert abs(integrated - -14.0) <= 0.5
    assert peak <= -1.0 + 0.1  # ebur128's true peak estimate differs from loudnorm's by < 0.1
