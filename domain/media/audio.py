"""Audio builders: the soundtrack mix (music bed, footage sound, voice cues, ducking) and
two-pass loudness.

The mix is rendered once to a float WAV of exactly the ad's duration and, in the same run, pass
one measures it with ``loudnorm`` (JSON); pass two applies the measured values in linear mode
(falling back to loudnorm's own limiter when a linear gain would break the true-peak ceiling),
as the first filters the composition puts on the soundtrack.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from domain.media.errors import MediaError
from domain.media.escape import fmt
from domain.media.inputs import file_url, input_args
from domain.media.types import MediaInput

SAMPLE_RATE = 48_000
_STEREO = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=stereo"


@dataclass(frozen=True, slots=True)
class VoiceCue:
    """A voice-over file that starts ``start_seconds`` into the ad."""

    source: MediaInput
    start_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class FootageSound:
    """The sound of a scene cut from footage: ``seconds`` of it from the start of ``source``,
    heard from ``start_seconds`` into the ad (short fades at both ends, no clicks)."""

    source: MediaInput
    start_seconds: float
    seconds: float


#: Fade at each end of a footage sound (seconds).
FOOTAGE_FADE = 0.05


@dataclass(frozen=True, slots=True)
class AudioMixSpec:
    """The soundtrack: music looped/trimmed to ``duration`` with fades and the footage sound
    mixed with it, this bed ducked under any voice."""

    duration: float
    output: Path
    music: MediaInput | None = None
    voice: tuple[VoiceCue, ...] = ()
    footage: tuple[FootageSound, ...] = ()
    music_volume: float = 1.0
    music_volume_under_voice: float = 0.6
    fade_in: float = 1.0
    fade_out: float = 2.0


@dataclass(frozen=True, slots=True)
class LoudnessTarget:
    """EBU R128 targets; the default is the common web/social delivery level."""

    integrated: float = -14.0
    true_peak: float = -1.0
    lra: float = 11.0


#: -14 LUFS integrated, -1 dBTP: what streaming and social platforms play back at.
WEB_LOUDNESS = LoudnessTarget()


@dataclass(frozen=True, slots=True)
class LoudnessMeasure:
    """What loudnorm's first pass measured."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    @property
    def is_silent(self) -> bool:
        return not math.isfinite(self.input_i) or self.input_i < -60


def audio_mix_args(spec: AudioMixSpec, *, measure: LoudnessTarget | None = None) -> list[str]:
    """Render the soundtrack to a 48 kHz stereo float WAV lasting exactly ``spec.duration``.

    With ``measure``, the same run is loudness pass one: the mix also goes through ``loudnorm``,
    which prints its JSON at the end of stderr (:func:`parse_loudnorm`), so the mix is not
    decoded again to be measured.
    """
    total = fmt(spec.duration)
    args: list[str] = []
    chains: list[str] = []
    index = 0
    if spec.music is not None:
        args += input_args(spec.music, max_pixels=None, options=["-stream_loop", "-1"])
        fade_in = min(spec.fade_in, spec.duration / 4)
        fade_out = min(spec.fade_out, spec.duration / 4)
        volume = spec.music_volume_under_voice if spec.voice else spec.music_volume
        chains.append(
            f"[0:a]{_STEREO},atrim=duration={total},asetpts=PTS-STARTPTS,"
            f"afade=t=in:st=0:d={fmt(fade_in)},"
            f"afade=t=out:st={fmt(spec.duration - fade_out)}:d={fmt(fade_out)},"
            f"volume={fmt(volume)}[music]"
        )
        index = 1
    bed = "music" if spec.music is not None else None
    if spec.footage:
        labels = [*([bed] if bed else [])]
        for sound in spec.footage:
            args += input_args(sound.source, max_pixels=None)
            fade = fmt(min(FOOTAGE_FADE, sound.seconds / 4))
            label = f"f{len(labels) - (1 if bed else 0)}"
            chains.append(
                f"[{index}:a]{_STEREO},atrim=duration={fmt(sound.seconds)},asetpts=PTS-STARTPTS,"
                f"afade=t=in:st=0:d={fade},"
                f"afade=t=out:st={fmt(max(0.0, sound.seconds - float(fade)))}:d={fade},"
                f"adelay=delays={round(sound.start_seconds * 1000)}:all=1[{label}]"
            )
            labels.append(label)
            index += 1
        joined = "".join(f"[{label}]" for label in labels)
        chains.append(
            f"{joined}amix=inputs={len(labels)}:duration=longest:normalize=0,"
            f"apad=whole_dur={total},atrim=duration={total}[bed]"
        )
        bed = "bed"
    voice_labels: list[str] = []
    for cue in spec.voice:
        args += input_args(cue.source, max_pixels=None)
        delay = round(cue.start_seconds * 1000)
        label = f"v{len(voice_labels)}"
        chains.append(f"[{index}:a]{_STEREO},adelay=delays={delay}:all=1[{label}]")
        voice_labels.append(label)
        index += 1
    if voice_labels:
        pad = f"apad=whole_dur={total},atrim=duration={total}"
        if len(voice_labels) == 1:
            chains.append(f"[{voice_labels[0]}]{pad}[voice]")
        else:
            joined = "".join(f"[{label}]" for label in voice_labels)
            chains.append(
                f"{joined}amix=inputs={len(voice_labels)}:duration=longest:normalize=0,{pad}[voice]"
            )
    if bed is not None and voice_labels:
        chains.append(
            "[voice]asplit=2[vkey][vmix];"
            f"[{bed}][vkey]sidechaincompress=threshold=0.02:ratio=6:attack=15:release=350[ducked];"
            "[ducked][vmix]amix=inputs=2:duration=first:normalize=0[mix]"
        )
    elif bed is not None:
        chains.append(f"[{bed}]anull[mix]")
    elif voice_labels:
        chains.append("[voice]anull[mix]")
    else:
        chains.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=duration={total}[mix]")
    measured: list[str] = []
    if measure is not None:
        chains[-1] = chains[-1].removesuffix("[mix]") + "[mixed]"
        chains.append(
            f"[mixed]asplit=2[mix][probe];"
            f"[probe]{_loudnorm(measure, measure.lra)}:print_format=json[measured]"
        )
        measured = ["-map", "[measured]", "-f", "null", "-"]
    return [
        *args,
        "-filter_complex", ";".join(chains), "-map", "[mix]",
        "-c:a", "pcm_f32le", "-ar", str(SAMPLE_RATE), "-ac", "2", "-f", "wav", file_url(spec.output),
        *measured,
    ]  # fmt: skip


def _loudnorm(target: LoudnessTarget, lra: float) -> str:
    return f"loudnorm=I={fmt(target.integrated)}:TP={fmt(target.true_peak)}:LRA={fmt(lra)}"


def _number(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return -math.inf


def parse_loudnorm(stderr: str) -> LoudnessMeasure:
    """The last JSON object loudnorm printed."""
    blocks = re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
    if not blocks:
        raise MediaError("loudness measurement printed no result", stderr_tail=stderr[-2000:])
    data = json.loads(blocks[-1])
    return LoudnessMeasure(
        input_i=_number(data["input_i"]),
        input_tp=_number(data["input_tp"]),
        input_lra=_number(data["input_lra"]),
        input_thresh=_number(data["input_thresh"]),
        target_offset=_number(data["target_offset"]),
    )


def loudness_apply_filter(measure: LoudnessMeasure, target: LoudnessTarget = WEB_LOUDNESS) -> str:
    """Pass two as a filter chain: linear normalisation with the measured values, back to
    48 kHz stereo (the composition applies it to its soundtrack input).

    The LRA target is raised to the measured range (loudnorm only stays linear when the measured
    range fits the target): the mix keeps its dynamics, only its level moves.
    """
    lra = min(50.0, max(target.lra, math.ceil(measure.input_lra * 10 + 1) / 10))
    ln = (
        f"{_loudnorm(target, lra)}:measured_I={fmt(measure.input_i)}"
        f":measured_TP={fmt(measure.input_tp)}:measured_LRA={fmt(measure.input_lra)}"
        f":measured_thresh={fmt(measure.input_thresh)}:offset={fmt(measure.target_offset)}"
        ":linear=true"
    )
    return f"{ln},{_STEREO}"


__all__ = [
    "FOOTAGE_FADE",
    "SAMPLE_RATE",
    "WEB_LOUDNESS",
    "AudioMixSpec",
    "FootageSound",
    "LoudnessMeasure",
    "LoudnessTarget",
    "VoiceCue",
    "audio_mix_args",
    "loudness_apply_filter",
    "parse_loudnorm",
]
