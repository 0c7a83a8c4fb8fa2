"""What making built-in scenes again for an export to another aspect adds to the export.

A 16:9 master's scenes (built-in key images and Ken Burns clips, made once, untimed) are
exported to 9:16 two ways, interleaved round by round: the stored clips centre-cropped into
the new frame (the baseline: compose, then the export's encode), and each scene's key image
drawn again at 9:16 and moved over again before the same compose and encode (what
``pipeline.aspect_clips`` does). Each way keeps its best round. Prints wall and CPU time (user +
system of FFmpeg and of this process, which draws the key images: steady on a loaded machine,
where wall time is not) and the ratio of the second to the first. Usage:

    .venv/bin/python bench/bench_export_aspect.py [--scenes 5] [--seconds 2] [--rounds 2] \
        [--resolution P480]
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

from tasks.demo import cpu_seconds  # noqa: E402


async def measure(
    work: Path, scenes: int, seconds: float, rounds: int, resolution: str
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each round of each way."""
    from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
    from domain.adapters.providers.builtin_image import BuiltinImageProvider
    from domain.adapters.providers.builtin_video import BuiltinVideoProvider
    from domain.enums import AspectRatio, RenderQuality, Resolution, ShotType, VideoFormat
    from domain.media.composition import Composition, RenderOptions, SceneClip
    from domain.media.geometry import frame_size
    from domain.media.types import Size
    from domain.ports.providers import ImageRequest, VideoRequest

    engine = FfmpegMediaEngine()
    images, videos = BuiltinImageProvider(), BuiltinVideoProvider(engine)
    master = frame_size(Resolution(resolution), AspectRatio.LANDSCAPE_16_9)
    export = frame_size(Resolution(resolution), AspectRatio.PORTRAIT_9_16)
    shots = list(ShotType)
    options = RenderOptions(
        format=VideoFormat.MP4, resolution=Resolution(resolution),
        aspect_ratio=AspectRatio.PORTRAIT_9_16, quality=RenderQuality.FAST,
    )  # fmt: skip

    async def scene(n: int, size: Size, folder: Path) -> Path:
        shot = shots[n % len(shots)]
        key = folder / f"key-{n}.png"
        await images.generate_image(
            ImageRequest(size=size, prompt=f"scene {n}", shot_type=shot, seed=n,
                         brand_colors=("#0F766E", "#F59E0B")), key)  # fmt: skip
        clip = folder / f"clip-{n}.mp4"
        request = VideoRequest(image=key, size=size, duration_seconds=seconds,
                               shot_type=shot, seed=n)  # fmt: skip
        await videos.generate_clip(request, clip)
        return clip

    stored = work / "stored"
    stored.mkdir()
    clips = [await scene(n, master, stored) for n in range(scenes)]  # the master's, untimed

    async def export_with(paths: list[Path], folder: Path) -> None:
        composition = Composition(
            scenes=tuple(SceneClip(p, seconds, caption=f"Scene {n}") for n, p in enumerate(paths)),
            size=export,
            brand_colors=("#0F766E", "#F59E0B"),
            call_to_action="Shop now",
        )
        composed = folder / "composition.mp4"
        await engine.compose(composition, composed)
        await engine.render(composed, folder / "export.mp4", options)

    times: dict[str, list[tuple[float, float]]] = {"cropped": [], "remade": []}
    for index in range(rounds):
        for mode in times:
            folder = work / f"{mode}-{index}"
            folder.mkdir()
            started, cpu = time.perf_counter(), cpu_seconds()
            if mode == "cropped":
                await export_with(clips, folder)
            else:
                remade = [await scene(n, export, folder) for n in range(scenes)]
                await export_with(remade, folder)
            times[mode].append((time.perf_counter() - started, cpu_seconds() - cpu))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--resolution", default="P480")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp:
        times = asyncio.run(
            measure(Path(tmp), args.scenes, args.seconds, args.rounds, args.resolution)
        )
    best = {mode: min(rounds, key=lambda r: r[1]) for mode, rounds in times.items()}
    base_wall, base_cpu = best["cropped"]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{args.scenes} scenes of {args.seconds:g}s, 16:9 master exported to 9:16 at "
          f"{args.resolution}, best of {args.rounds} rounds")  # fmt: skip
    for mode, (wall, cpu) in best.items():
        print(f"  {mode:<8} wall {wall:6.1f}s ({wall / base_wall:.2f}x)  "
              f"CPU {cpu:6.1f}s ({cpu / base_cpu:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
