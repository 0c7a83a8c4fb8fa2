"""Upload a large file through ``createAssetUpload`` + the signed PUT, against a real server.

Prints the upload's throughput and the server's peak RSS growth, beside a plain file copy of the
same file measured in the same run, and the ratios. Rounds alternate copy and upload; before each
measured run every dirty page is written back (``sync``) and the source is evicted from the page
cache, so both start cold with an idle disk, and the medians are compared. Usage:

    .venv/bin/python bench/bench_upload.py [--size-mib 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procfs import PeakRss, cpu_seconds, free_port, rss_bytes  # noqa: E402

MiB = 1024 * 1024


def make_video(path: Path, size: int) -> None:
    """A real MP4 (moov first) followed by one top-level ``free`` box padding it to ``size``."""
    import imageio_ffmpeg

    small = path.with_suffix(".small.mp4")
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(small)],
        check=True,
    )  # fmt: skip
    head = small.read_bytes()
    small.unlink()
    pad = size - len(head)
    assert pad >= 8, "size too small"
    with path.open("wb") as out:
        out.write(head)
        out.write(pad.to_bytes(4, "big") + b"free")
        block = b"\x00" * MiB
        left = pad - 8
        while left > 0:
            out.write(block[: min(left, MiB)])
            left -= MiB


def drop_cache(path: Path) -> None:
    """Write back every dirty page (an idle disk) and evict ``path`` from the page cache, so the
    next read of it comes from disk."""
    os.sync()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def plain_copy(src: Path, dst: Path) -> float:
    drop_cache(src)
    started = time.perf_counter()
    shutil.copyfile(src, dst)
    with dst.open("rb") as handle:
        os.fsync(handle.fileno())
    elapsed = time.perf_counter() - started
    dst.unlink()
    return elapsed


async def gql(client: httpx.AsyncClient, key: str, query: str, variables: dict[str, Any]) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
    )
    response.raise_for_status()
    return response.json()["data"]


async def upload(base: str, key: str, path: Path) -> tuple[float, float, dict[str, Any]]:
    """Seconds to the response, seconds until the last byte was handed to the socket, answer."""
    size = path.stat().st_size
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        created = await gql(
            client,
            key,
            "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
            {"i": {"name": f"bench-{time.time_ns()}"}},
        )
        client_id = created["createClient"]["client"]["id"]
        made = await gql(
            client,
            key,
            """mutation($i: CreateAssetUploadInput!) { createAssetUpload(input: $i) {
                uploadUrl asset { id } userErrors { code message } } }""",
            {"i": {"clientId": client_id, "filename": path.name, "byteSize": size}},
        )
        payload = made["createAssetUpload"]
        assert not payload["userErrors"], payload["userErrors"]

        sent = 0.0

        async def body() -> Any:
            nonlocal sent
            with path.open("rb") as handle:
                while chunk := handle.read(MiB):
                    yield chunk
            sent = time.perf_counter()

        drop_cache(path)
        started = time.perf_counter()
        response = await client.put(
            payload["uploadUrl"], content=body(), headers={"Content-Length": str(size)}
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed, sent - started, response.json()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    size = args.size_mib * MiB
    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp:
        work = Path(tmp)
        source = work / "bench.mp4"
        make_video(source, size)
        env = {
            **os.environ,
            "ADREEL_DATA_DIR": str(work / "var"),
            "ADREEL_ENV": "development",
            "ADREEL_ASSET_MAX_VIDEO_BYTES": str(size + MiB),
        }
        for name in ("ADREEL_DATABASE_URL", "ADREEL_REDIS_URL", "ADREEL_STORAGE_URL"):
            env.pop(name, None)
        cli = [sys.executable, "-c", "import sys, cli; sys.exit(cli.main())"]
        key = subprocess.run(
            [*cli, "keys", "create", "--org", "bench"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        port = free_port()
        env["ADREEL_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120  # a loaded machine imports slowly
            while True:
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start")
                time.sleep(0.1)
            # Copies and uploads alternate (the machine's load moves); each starts cold.
            copies: list[float] = []
            uploads: list[tuple[float, float]] = []
            cpu: list[float] = []
            baseline = rss_bytes(server.pid)
            growth = 0
            for _ in range(args.rounds):
                copies.append(plain_copy(source, work / "copy.bin"))
                cpu_before = cpu_seconds(server.pid, children=True)
                with PeakRss(server.pid) as rss:
                    *times, result = asyncio.run(upload(base, key, source))
                cpu.append(cpu_seconds(server.pid, children=True) - cpu_before)
                uploads.append((times[0], times[1]))
                growth = max(growth, rss.peak - baseline)
                if result["asset"]["status"] != "READY":
                    break
            copies.append(plain_copy(source, work / "copy.bin"))
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    asset = result["asset"]
    copy_seconds = statistics.median(copies)
    upload_seconds = statistics.median(u[0] for u in uploads)
    copy_rate = size / MiB / copy_seconds
    upload_rate = size / MiB / upload_seconds
    print(f"file size:                 {size / MiB:.0f} MiB  (asset {asset['status']})")
    print(
        f"plain file copy (fsync):   {copy_seconds:6.2f} s  {copy_rate:8.1f} MiB/s"
        f"  (median of {', '.join(f'{c:.2f}' for c in copies)} s; source cold each time)"
    )
    print(
        f"createAssetUpload + PUT:   {upload_seconds:6.2f} s  {upload_rate:8.1f} MiB/s"
        f"  (median of {', '.join(f'{u[0]:.2f}' for u in uploads)} s)"
    )
    print(
        "  body sent / after it:    "
        + ", ".join(f"{sent:.2f} + {total - sent:.2f} s" for total, sent in uploads)
    )
    print(
        f"server CPU per upload:     {statistics.median(cpu):6.2f} s"
        f"  (median of {', '.join(f'{c:.2f}' for c in cpu)} s; with ffprobe/ffmpeg)"
    )
    print(f"throughput ratio:          {upload_rate / copy_rate:6.2f} x plain copy")
    print(f"server RSS before upload:  {baseline / MiB:8.1f} MiB")
    print(f"server peak RSS growth:    {growth / MiB:8.1f} MiB  (target < 64 MiB)")
    print(f"RSS growth / file size:    {growth / size:8.4f}")
    return 0 if asset["status"] == "READY" else 1


if __name__ == "__main__":
    raise SystemExit(main())
