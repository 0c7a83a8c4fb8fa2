"""Narration speed: synthesis time per second of speech for the built-in voice, on one core.

Synthesises the ten ad lines of ``tests/support/speech.py`` (after one warm-up line), then
aligns each to its audio, and prints seconds of speech, wall time, and both as ratios to real
time (how many seconds of speech one second of one core makes). ``--compare`` adds the offline
voices that were measured against the built-in one (when their packages are installed) with the
word error rate pocketsphinx hears in each. Usage:

    .venv/bin/python bench/bench_voice.py [--cores 1] [--compare]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


async def builtin(work: Path) -> None:
    from domain.adapters.providers.alignment import PocketsphinxAligner
    from domain.adapters.providers.builtin_voice import BuiltinVoice
    from domain.ports.voice import SpeechRequest
    from tests.support.speech import AD_LINES

    voice = BuiltinVoice(threads=1)
    started = time.perf_counter()
    await voice.synthesize(SpeechRequest("Warm up."), work / "warm.wav")
    load = time.perf_counter() - started
    aligner = PocketsphinxAligner()
    await aligner.align(work / "warm.wav", "Warm up.")  # loads the acoustic model once
    spoken = synth = align = synth_cpu = align_cpu = 0.0
    for index, line in enumerate(AD_LINES):
        started, cpu = time.perf_counter(), time.process_time()
        speech = await voice.synthesize(SpeechRequest(line), work / f"{index}.wav")
        synth += time.perf_counter() - started
        synth_cpu += time.process_time() - cpu
        spoken += speech.duration_seconds
        started, cpu = time.perf_counter(), time.process_time()
        await aligner.align(speech.path, line)
        align += time.perf_counter() - started
        align_cpu += time.process_time() - cpu
    print(f"built-in voice (hibari-tts, 1 thread): load + first line {load:.2f} s")
    print(
        f"  {spoken:.1f} s of speech synthesised in {synth:.2f} s wall, {synth_cpu:.2f} s CPU: "
        f"{synth / spoken:.3f} s per second of speech = {spoken / synth:.0f}x real time "
        f"({spoken / synth_cpu:.0f}x per CPU second)"
    )
    print(
        f"  forced alignment (pocketsphinx): {align:.2f} s wall, {align_cpu:.2f} s CPU = "
        f"{spoken / align:.1f}x real time ({spoken / align_cpu:.1f}x per CPU second)"
    )
    print(
        f"  narration of a 30 s ad (about 25 s of speech): ~{25 * (synth + align) / spoken:.1f} s"
    )


def compare() -> None:
    from bench.voice_candidates import CANDIDATES
    from tests.support.speech import AD_LINES, transcribe, word_error_rate

    print(f"\n{'candidate':34} {'licence':16} {'x real time':>11} {'WER':>6}")
    for name, (licence, make) in CANDIDATES.items():
        try:
            synth = make()
        except ImportError as exc:
            print(f"{name:34} {licence:16} skipped: {exc.name} is not installed")
            continue
        synth("Warm up.")
        spent = spoken = 0.0
        pairs = []
        for line in AD_LINES:
            started = time.perf_counter()
            pcm = synth(line)
            spent += time.perf_counter() - started
            spoken += pcm.duration_seconds
            pairs.append((line, transcribe(pcm)))
        print(f"{name:34} {licence:16} {spoken / spent:>10.0f}x {word_error_rate(pairs):>6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=1, help="CPU cores to run on (default 1)")
    parser.add_argument("--compare", action="store_true", help="also measure the rejected voices")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.cores]))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} cores (a busy machine slows every figure)")
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(builtin(Path(tmp)))
    if args.compare:
        compare()


if __name__ == "__main__":
    main()
