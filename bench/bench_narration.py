"""What narration costs: synthesis time per second of speech, and its share of the pipeline.

Runs the demo ad on the embedded runner in the same process, spoken (built-in voice,
``voiceover: true``) and silent, in ABBA order (silent, spoken, spoken, silent; ``--rounds``
repeats it) so that a machine's changing load weighs on both alike, from submission to
COMPLETED, and prints:

- the built-in voice's synthesis time per second of speech inside the pipeline, alone and with
  the forced alignment that times the captions, as ratios to real time (seconds of speech made
  per second of wall time);
- the narration step's own time (the first step of CLIPS) and its share of the spoken job;
- the spoken job's end-to-end time against the silent one's (the fastest run of each): what
  narration adds, in seconds and as a share. On a loaded machine the runs' spread can exceed
  the difference; the narration step's own time is the steadier figure.

Usage:

    .venv/bin/python bench/bench_narration.py [--duration 30] [--resolution P720] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class Timer:
    """Wall time and seconds of speech of every call of a patched coroutine."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.speech = 0.0
        self.calls = 0

    def wrap(self, owner: Any, name: str) -> None:
        original: Callable[..., Awaitable[Any]] = getattr(owner, name)
        timer = self

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = await original(*args, **kwargs)
            timer.wall += time.perf_counter() - started
            timer.speech += float(getattr(result, "duration_seconds", 0.0) or 0.0)
            timer.calls += 1
            return result

        setattr(owner, name, timed)


async def run(data_dir: Path, seconds: float, resolution: str, voiceover: bool) -> float:
    from rich.console import Console

    from domain.settings import Settings
    from tasks.demo import run_demo

    settings = Settings(
        env="development", data_dir=data_dir, redis_url=None, database_url=None,
        storage_url=None, render_resolution=resolution,  # type: ignore[arg-type]
    )  # fmt: skip
    result = await run_demo(
        settings,
        data_dir / "bench.mp4",
        duration=seconds,
        console=Console(quiet=True),
        voiceover=voiceover,
    )
    if result.output is None:
        raise SystemExit(f"the {'spoken' if voiceover else 'silent'} job failed: {result.error}")
    return result.job_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--resolution", default="P720")
    parser.add_argument("--rounds", type=int, default=1, help="ABBA rounds (2 runs of each)")
    args = parser.parse_args()

    from domain.adapters.providers.builtin_voice import BuiltinVoice
    from domain.adapters.providers.timed_voice import TimedVoice
    from domain.services.pipeline import narration

    synthesis, timed, step = Timer(), Timer(), Timer()
    synthesis.wrap(BuiltinVoice, "synthesize")
    timed.wrap(TimedVoice, "synthesize")
    step.wrap(narration, "run")
    times: dict[bool, list[float]] = {False: [], True: []}
    spent: list[tuple[float, float, float, float, int]] = []  # per spoken run
    order = [False, True, True, False] * args.rounds  # ABBA: load drifts cancel out
    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp:
        for index, voiced in enumerate(order):
            data = Path(tmp) / f"{index}-{'spoken' if voiced else 'silent'}"
            before = (synthesis.wall, synthesis.speech, timed.wall, step.wall, synthesis.calls)
            times[voiced].append(asyncio.run(run(data, args.duration, args.resolution, voiced)))
            if voiced:
                after = (synthesis.wall, synthesis.speech, timed.wall, step.wall, synthesis.calls)
                a, b, c, d, e = (x - y for x, y in zip(after, before, strict=True))
                spent.append((a, b, c, d, int(e)))
    silent, spoken = min(times[False]), min(times[True])
    runs = len(times[True])
    # the synthesis figures of the fastest spoken run, the one the shares are of
    fastest = spent[times[True].index(spoken)]
    synthesis.wall, speech, timed.wall, step.wall, synthesis.calls = fastest
    load = os.getloadavg()[0]
    print(
        f"{args.duration:g} s ad at {args.resolution}, built-in planner, images and voice; "
        f"{runs} spoken and {runs} silent runs (ABBA), load average {load:.1f}"
    )
    print(
        "  job times, submit to COMPLETED: spoken "
        + ", ".join(f"{t:.1f}" for t in times[True])
        + " s; silent "
        + ", ".join(f"{t:.1f}" for t in times[False])
        + " s (the fastest of each below)"
    )
    print(
        f"  synthesis: {synthesis.calls} lines, {speech:.1f} s of speech in {synthesis.wall:.2f} s"
        f" = {synthesis.wall / speech:.3f} s per second of speech ({speech / synthesis.wall:.1f}x"
        " real time)"
    )
    print(
        f"  with alignment (caption timing): {timed.wall:.2f} s = {timed.wall / speech:.3f} s per"
        f" second of speech ({speech / timed.wall:.1f}x real time)"
    )
    print(
        f"  narration step: {step.wall:.2f} s = {step.wall / spoken:.1%} of the spoken job"
        f" ({spoken:.1f} s)"
    )
    added = spoken - silent
    print(
        f"  spoken job {spoken:.1f} s vs silent job {silent:.1f} s: narration adds {added:.1f} s"
        f" ({added / silent:+.1%} on the silent job, {added / spoken:.1%} of the spoken one)"
    )


if __name__ == "__main__":
    main()
