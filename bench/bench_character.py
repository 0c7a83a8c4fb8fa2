"""What compositing the job's character adds to a built-in scene clip, measured in one run.

The built-in video provider renders the same Ken Burns clip three ways, interleaved round by
round: plain (the baseline), with a cut-out character (a PNG with transparency) and with an
opaque photo in its frame, both standing still over the moving background. Each mode keeps its
best round. Prints wall times and the CPU time used (user + system of FFmpeg and of this
process, which draws the layer: steady on a loaded machine, where wall time is not), and the ratio of each character
mode to the plain clip; the same ratio applies to the CLIPS stage's scenes that show the
character. Usage:

    .venv/bin/python bench/bench_character.py [--seconds 5] [--rounds 3] [--aspect LANDSCAPE_16_9]
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


def _pictures(directory: Path, width: int, height: int) -> dict[str, Path]:
    """A key image at the frame's size, a cut-out figure and an opaque portrait photo."""
    from PIL import Image, ImageDraw

    key = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(key)
    for n in range(12):  # some detail for the encoder
        draw.ellipse((n * width // 12, height // 3, n * width // 12 + width // 10, height // 2),
                     fill=(40 + n * 15, 90, 200 - n * 10))  # fmt: skip
    key.save(directory / "key.png")
    figure = Image.new("RGBA", (600, 1200), (0, 0, 0, 0))
    pen = ImageDraw.Draw(figure)
    pen.ellipse((180, 40, 420, 280), fill=(236, 180, 150, 255))
    pen.rounded_rectangle((90, 300, 510, 1190), radius=80, fill=(30, 90, 200, 255))
    figure.save(directory / "cutout.png")
    photo = Image.linear_gradient("L").resize((960, 1280)).convert("RGB")
    photo.save(directory / "photo.jpg", quality=92)
    return {"key": directory / "key.png", "cutout": directory / "cutout.png",
            "photo": directory / "photo.jpg"}  # fmt: skip


async def measure(
    work: Path, seconds: float, rounds: int, aspect: str
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each round of each mode."""
    from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
    from domain.adapters.providers.builtin_video import BuiltinVideoProvider
    from domain.enums import AspectRatio, Resolution, ShotType
    from domain.media.geometry import frame_size
    from domain.ports.providers import VideoRequest

    size = frame_size(Resolution.P1080, AspectRatio(aspect))
    pictures = _pictures(work, size.width, size.height)
    provider = BuiltinVideoProvider(FfmpegMediaEngine())
    times: dict[str, list[tuple[float, float]]] = {"plain": [], "cutout": [], "photo": []}
    for _ in range(rounds):
        for mode in times:
            request = VideoRequest(
                image=pictures["key"], size=size, duration_seconds=seconds,
                shot_type=ShotType.MEDIUM, seed=7,
                character_image=pictures[mode] if mode != "plain" else None,
            )  # fmt: skip
            started, cpu = time.perf_counter(), cpu_seconds()
            await provider.generate_clip(request, work / f"{mode}.mp4")
            times[mode].append((time.perf_counter() - started, cpu_seconds() - cpu))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--aspect", default="LANDSCAPE_16_9")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp:
        times = asyncio.run(measure(Path(tmp), args.seconds, args.rounds, args.aspect))
    wall = {mode: min(w for w, _ in runs) for mode, runs in times.items()}
    cpu = {mode: min(c for _, c in runs) for mode, runs in times.items()}
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(
        f"clip: {args.seconds:g}s {args.aspect} at 1080p, best of {args.rounds} interleaved rounds"
    )
    for mode, runs in times.items():
        listed = ", ".join(f"{w:.1f}s/{c:.1f}s" for w, c in runs)
        print(f"  {mode:<7} wall {wall[mode]:6.2f}s  CPU {cpu[mode]:6.2f}s  (wall/CPU: {listed})")
    for mode in ("cutout", "photo"):
        print(f"ratio: {mode} / plain = {cpu[mode] / cpu['plain']:.2f}x CPU, "
              f"{wall[mode] / wall['plain']:.2f}x wall")  # fmt: skip


if __name__ == "__main__":
    main()
