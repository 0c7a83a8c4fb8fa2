"""16-bit PCM WAV files: read, write, resample, as the voice adapters and the aligner need them.

Speech engines answer in float arrays (the built-in voice), WAV files (OpenAI-compatible servers)
or raw PCM (ElevenLabs ``pcm_*`` formats); everything is kept as mono 16-bit WAV on disk, and the
aligner reads it back at 16 kHz. Resampling is band-limited (FFT), exact for whole clips.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from domain.adapters.providers.errors import PROVIDER_BAD_OUTPUT, ProviderError

Samples = npt.NDArray[np.float32]
_SILENT = 10 ** (-45 / 20)  # below -45 dBFS a 10 ms window is silence


@dataclass(frozen=True, slots=True)
class Pcm:
    """Mono audio as float samples in [-1, 1] and their rate."""

    samples: Samples
    sample_rate: int

    @property
    def duration_seconds(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0


def from_int16(data: bytes, sample_rate: int, channels: int = 1) -> Pcm:
    """Raw little-endian 16-bit PCM (interleaved channels are averaged to mono)."""
    usable = len(data) - len(data) % (2 * channels)
    ints = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        ints = ints.reshape(-1, channels).mean(axis=1).astype(np.float32)
    return Pcm(ints, sample_rate)


def to_int16(pcm: Pcm) -> bytes:
    """Little-endian 16-bit PCM of ``pcm`` (clipped)."""
    scaled = np.clip(pcm.samples, -1.0, 1.0) * 32767.0
    return bytes(np.round(scaled).astype("<i2").tobytes())


def wav_bytes(pcm: Pcm) -> bytes:
    """A mono 16-bit WAV file of ``pcm``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(pcm.sample_rate)
        out.writeframes(to_int16(pcm))
    return buffer.getvalue()


def write_wav(pcm: Pcm, path: Path) -> Path:
    """Write ``pcm`` as a mono 16-bit WAV file."""
    path.write_bytes(wav_bytes(pcm))
    return path


def _bad_wav(message: str, provider: str) -> ProviderError:
    return ProviderError(PROVIDER_BAD_OUTPUT, message, retryable=True, provider=provider)


def parse_wav(data: bytes, *, provider: str = "") -> Pcm:
    """The audio of a 16-bit PCM WAV file (anything else is ``PROVIDER_BAD_OUTPUT``).

    Streaming servers write WAV headers before they know the length (a data size of 0 or
    0xFFFFFFFF): the data chunk then runs to the end of the file.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise _bad_wav("the audio is not a WAV file", provider)
    position = 12
    channels = rate = bits = 0
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        body = position + 8
        if kind == b"fmt " and size >= 16:
            fmt_tag = int.from_bytes(data[body : body + 2], "little")
            channels = int.from_bytes(data[body + 2 : body + 4], "little")
            rate = int.from_bytes(data[body + 4 : body + 8], "little")
            bits = int.from_bytes(data[body + 14 : body + 16], "little")
            if fmt_tag not in (1, 0xFFFE) or bits != 16 or not channels or not rate:
                raise ProviderError(
                    PROVIDER_BAD_OUTPUT,
                    f"the WAV audio is not 16-bit PCM (format {fmt_tag}, {bits}-bit)",
                    retryable=False,
                    provider=provider,
                )
        elif kind == b"data":
            if not rate:
                break
            end = len(data) if size in (0, 0xFFFFFFFF) else min(len(data), body + size)
            return from_int16(data[body:end], rate, channels)
        position = body + size + (size & 1)
    raise _bad_wav("the WAV file has no audio data", provider)


def read_wav(path: Path) -> Pcm:
    """The audio of a 16-bit PCM WAV file on disk."""
    return parse_wav(path.read_bytes())


def resample(pcm: Pcm, sample_rate: int) -> Pcm:
    """``pcm`` at ``sample_rate`` (band-limited, by FFT over the whole clip)."""
    if pcm.sample_rate == sample_rate or len(pcm.samples) == 0:
        return Pcm(pcm.samples, sample_rate)
    count = round(len(pcm.samples) * sample_rate / pcm.sample_rate)
    spectrum = np.fft.rfft(pcm.samples.astype(np.float64))
    bins = count // 2 + 1
    if bins <= len(spectrum):
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins - len(spectrum), spectrum.dtype)])
    out = np.fft.irfft(spectrum, n=count) * (count / len(pcm.samples))
    return Pcm(out.astype(np.float32), sample_rate)


def speech_span(pcm: Pcm) -> tuple[float, float]:
    """Where ``pcm`` is audible: the first and last 10 ms window above -45 dBFS."""
    window = max(1, pcm.sample_rate // 100)
    count = len(pcm.samples) // window
    if count == 0:
        return 0.0, pcm.duration_seconds
    frames = pcm.samples[: count * window].reshape(count, window).astype(np.float64)
    loud = np.flatnonzero(np.sqrt((frames**2).mean(axis=1)) > _SILENT)
    if loud.size == 0:
        return 0.0, pcm.duration_seconds
    return float(loud[0]) / 100, float(loud[-1] + 1) / 100


def trim_silence(pcm: Pcm, keep_seconds: float = 0.05) -> Pcm:
    """``pcm`` without the silence before and after its speech (``keep_seconds`` of it kept at
    each end): the pipeline places a line's lead-in and tail itself."""
    start, end = speech_span(pcm)
    first = max(0, round((start - keep_seconds) * pcm.sample_rate))
    last = min(len(pcm.samples), round((end + keep_seconds) * pcm.sample_rate))
    if last <= first:
        return pcm
    return Pcm(pcm.samples[first:last], pcm.sample_rate)


def concatenate(parts: list[Pcm], gaps_seconds: list[float] | None = None) -> Pcm:
    """``parts`` (one rate) end to end, with ``gaps_seconds[i]`` of silence after part ``i``."""
    if not parts:
        return Pcm(np.zeros(0, np.float32), 24_000)
    rate = parts[0].sample_rate
    pieces: list[Samples] = []
    for index, part in enumerate(parts):
        pieces.append(resample(part, rate).samples)
        gap = gaps_seconds[index] if gaps_seconds and index < len(gaps_seconds) else 0.0
        if gap > 0:
            pieces.append(np.zeros(round(gap * rate), np.float32))
    return Pcm(np.concatenate(pieces).astype(np.float32), rate)


__all__ = [
    "Pcm",
    "concatenate",
    "from_int16",
    "parse_wav",
    "read_wav",
    "resample",
    "speech_span",
    "to_int16",
    "trim_silence",
    "wav_bytes",
    "write_wav",
]
