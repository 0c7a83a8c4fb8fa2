"""A 30-second 1080p six-scene ad end to end, beside one plain FFmpeg encode of the same size.

The job runs on the embedded runner exactly as ``adreel demo`` does (planner, key images, Ken
Burns clips with continuity, composition with captions, logo, end card, music and two-pass
loudness, default render), from submission to COMPLETED. The baseline is one FFmpeg command that
encodes 30 seconds of 1920x1080 ``testsrc2`` to H.264 (libx264 defaults) in the same run, on the
same machine. Prints both, the ratio (wall time, and CPU time, which a machine loaded by other
work disturbs far less), and where the job's time went by stage. Usage:

    .venv/bin/python bench/bench_pipeline.py [--duration 30] [--scenes 6] [--aspect LANDSCAPE_16_9]\
        [--keep ad.mp4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def baseline_seconds(ffmpeg: str, seconds: float, output: Path) -> tuple[float, float]:
    """Wall and CPU time of one plain 1080p H.264 encode of a generated source."""
    argv = [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds:g}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(output),
    ]  # fmt: skip
    started, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(argv, check=True, timeout=3600)
    return time.perf_counter() - started, _children_cpu() - cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


async def pipeline(
    data_dir: Path, seconds: float, scenes: int, aspect: str
) -> tuple[float, float, dict[str, float], str]:
    from rich.console import Console

    from domain.enums import AspectRatio
    from domain.settings import Settings
    from tasks.demo import run_demo

    settings = Settings(
        env="development", data_dir=data_dir, redis_url=None, database_url=None,
        storage_url=None, render_resolution="P1080",
    )  # fmt: skip
    result = await run_demo(
        settings,
        data_dir / "bench.mp4",
        duration=seconds,
        aspect=AspectRatio(aspect),
        scene_count=scenes,
        console=Console(quiet=True),
    )
    if result.output is None:
        raise SystemExit(f"the job ended {result.status.value}: {result.error}")
    shape = f"{result.width}x{result.height}, {result.duration:.2f}s, {len(result.scenes)} scenes"
    return result.job_seconds, result.job_cpu_seconds, result.stage_seconds, shape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--aspect", default="LANDSCAPE_16_9")
    parser.add_argument("--keep", type=Path, help="copy the finished ad here (to look at it)")
    args = parser.parse_args()

    from domain.adapters.ffmpeg.binary import ffmpeg_version, find_ffmpeg

    ffmpeg = find_ffmpeg()
    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp:
        work = Path(tmp)
        base, base_cpu = baseline_seconds(ffmpeg, args.duration, work / "baseline.mp4")
        job, job_cpu, stages, shape = asyncio.run(
            pipeline(work / "var", args.duration, args.scenes, args.aspect)
        )
        if args.keep is not None:
            shutil.copyfile(work / "var" / "bench.mp4", args.keep)
        base_after, base_after_cpu = baseline_seconds(
            ffmpeg, args.duration, work / "baseline-2.mp4"
        )
    baseline = min(base, base_after)  # the quieter of two runs, one before and one after
    baseline_cpu = min(base_cpu, base_after_cpu)
    version = ffmpeg_version(ffmpeg)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"ffmpeg {'.'.join(map(str, version)) if version else '?'}")  # fmt: skip
    print(f"baseline: one ffmpeg encode of {args.duration:g}s 1920x1080 testsrc2 to H.264: "
          f"{baseline:.1f}s (runs: {base:.1f}s, {base_after:.1f}s)")  # fmt: skip
    print(
        f"pipeline: {args.duration:g}s {args.aspect} ad ({shape}), submit to COMPLETED: {job:.1f}s"
    )
    print(f"ratio: pipeline / baseline = {job / baseline:.2f}x")
    print(
        f"CPU time (user + system, FFmpeg included): pipeline {job_cpu:.1f}s, baseline "
        f"{baseline_cpu:.1f}s (runs: {base_cpu:.1f}s, {base_after_cpu:.1f}s), "
        f"ratio {job_cpu / baseline_cpu:.2f}x"
    )
    total = sum(stages.values()) or 1.0
    for stage, spent in stages.items():
        print(
            f"  {stage:<10} {spent:7.1f}s  {spent / total:6.1%}  ({spent / baseline:.2f}x baseline)"
        )
    outside = job - sum(stages.values())
    print(f"  outside stages (queueing, stage runs that did not finish) {outside:.1f}s")


if __name__ == "__main__":
    main()
