"""Memory while a bundle's ZIP is streamed, against the bundle's size.

Ten "renders" of random bytes are put in local storage, then zipped with a manifest into storage
by the same function ``exportBundle``'s task uses (``domain.services.bundles.archive.write_zip``).
For each size it prints the bundle's size, the throughput, the peak of Python allocations during
the write (tracemalloc) and the process's peak RSS growth (sampled every 20 ms, in a separate
run without tracemalloc). Flat memory means the numbers stay the same as the bundle grows.
Usage:

    .venv/bin/python bench/bench_bundle.py [--sizes-mib 1 8 32] [--files 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procfs import PeakRss, rss_bytes  # noqa: E402
from domain.adapters.storage.local import LocalStorage  # noqa: E402
from domain.services.bundles.archive import Member, write_zip  # noqa: E402

MiB = 1024 * 1024


async def _random(size: int) -> AsyncIterator[bytes]:
    left = size
    while left:
        n = min(left, MiB)
        left -= n
        yield os.urandom(n)


async def _bundle(storage: LocalStorage, keys: list[str], target: str) -> int:
    members = [
        Member(
            name=f"{n:02d}/ad.mp4",
            chunks=partial(storage.read, key),
            modified=datetime.now(UTC),
            describe={"kind": "render"},
        )
        for n, key in enumerate(keys)
    ]
    written = await write_zip(storage, target, members, manifest={}, modified=datetime.now(UTC))
    return written.byte_size


async def run(sizes_mib: list[int], files: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        storage = LocalStorage(Path(tmp), fsync=False)
        print(
            f"{'bundle MiB':>10} {'seconds':>8} {'MiB/s':>7} {'py peak MiB':>12} {'RSS growth MiB':>15}"
        )
        for size in sizes_mib:
            keys = [f"renders/{size}-{n}.mp4" for n in range(files)]
            for key in keys:
                await storage.write(key, _random(size * MiB))
            start = rss_bytes(os.getpid())
            with PeakRss(os.getpid()) as rss:
                started = time.perf_counter()
                total = await _bundle(storage, keys, f"bundles/{size}-rss.zip")
                seconds = time.perf_counter() - started
            tracemalloc.start()
            await _bundle(storage, keys, f"bundles/{size}-py.zip")
            _, py_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            with zipfile.ZipFile(storage.path_for(f"bundles/{size}-rss.zip")) as archive:
                assert archive.testzip() is None and len(archive.namelist()) == files + 1
            print(f"{total / MiB:>10.1f} {seconds:>8.2f} {total / MiB / seconds:>7.0f} "
                  f"{py_peak / MiB:>12.2f} {(rss.peak - start) / MiB:>15.2f}")  # fmt: skip
            for key in [*keys, f"bundles/{size}-rss.zip", f"bundles/{size}-py.zip"]:
                await storage.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mib", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--files", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.sizes_mib, args.files))


if __name__ == "__main__":
    main()
