"""Trimming the silence a speech engine pads a line with (the pipeline adds its own lead-in)."""

from __future__ import annotations

import numpy as np

from domain.adapters.providers.wav import Pcm, speech_span, trim_silence

RATE = 24_000


def _line(before: float, voiced: float, after: float) -> Pcm:
    t = np.arange(round(voiced * RATE)) / RATE
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    pad = [np.zeros(round(s * RATE), np.float32) for s in (before, after)]
    return Pcm(np.concatenate([pad[0], tone, pad[1]]), RATE)


def test_padding_is_cut_to_the_margin_kept() -> None:
    padded = _line(0.31, 1.13, 0.45)
    trimmed = trim_silence(padded, keep_seconds=0.05)
    assert abs(trimmed.duration_seconds - (1.13 + 0.1)) < 0.02
    start, end = speech_span(trimmed)
    assert abs(start - 0.05) < 0.015 and abs(trimmed.duration_seconds - end - 0.05) < 0.015
    # the voiced samples are untouched
    voiced = padded.samples[round(0.31 * RATE) : round(1.44 * RATE)]
    assert np.array_equal(
        trimmed.samples[round(0.05 * RATE) : round(0.05 * RATE) + len(voiced)], voiced
    )


def test_a_line_without_padding_or_without_sound_is_kept() -> None:
    tight = _line(0.0, 0.8, 0.0)
    assert trim_silence(tight).duration_seconds == tight.duration_seconds
    silent = Pcm(np.zeros(RATE, np.float32), RATE)
    assert trim_silence(silent).duration_seconds == silent.duration_seconds
