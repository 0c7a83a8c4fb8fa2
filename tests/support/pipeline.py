"""Driving a job through the GraphQL API, and checking the video it made by decoding it."""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np
from PIL import Image
from pydantic import SecretStr

from domain.adapters.samples import draw_logo, draw_product, make_music
from domain.settings import Settings
from tests.support.graph import create_campaign, create_client, payload
from tests.support.media import ffmpeg_exe

PREFLIGHT = {"X-Adreel-Upload": "1"}
BRAND_COLORS = ["#0F766E", "#F59E0B"]

UPLOAD = """mutation($input: UploadAssetInput!) { uploadAsset(input: $input) {
  asset { id status role kind } userErrors { code message field } } }"""

CREATE_JOB = """mutation($input: CreateJobInput!) { createJob(input: $input) {
  job { id status stage } userErrors { code message field } } }"""

APPROVE = """mutation($input: ApproveStoryboardInput!) { approveStoryboard(input: $input) {
  job { id status stage } userErrors { code message field } } }"""

CANCEL = """mutation($input: CancelJobInput!) { cancelJob(input: $input) {
  job { id status } userErrors { code message field } } }"""

EXPORT = """mutation($input: ExportJobInput!) { exportJob(input: $input) {
  render { id status } userErrors { code message field } } }"""

ASSET = "id url width height durationSeconds role kind"

JOB = f"""query($id: ID!) {{ node(id: $id) {{ ... on Job {{
  id status stage progress durationSeconds aspectRatio
  error {{ code stage message retryable }}
  cost {{ estimatedUsd actualUsd varianceRatio }}
  output {{ id status resolution asset {{ {ASSET} }} }}
  renders {{ id status format resolution aspectRatio isDefault progress
             error {{ code message }} asset {{ {ASSET} }} }}
  scenes {{ id position status continuity transition durationSeconds caption
            error {{ code stage message retryable }}
            image {{ {ASSET} }} clip {{ {ASSET} }} lastFrame {{ {ASSET} }} }}
}} }} }}"""


@dataclass
class Brand:
    """A client, a campaign and its uploaded brand assets (global IDs)."""

    client_id: str
    campaign_id: str
    logo: str
    products: list[str]
    music: str


async def upload(api: Any, path: Path, role: str, campaign_id: str) -> str:
    """Upload a file through the multipart ``uploadAsset`` mutation; returns the asset ID."""
    operations = json.dumps(
        {
            "query": UPLOAD,
            "variables": {"input": {"campaignId": campaign_id, "role": role, "file": None}},
        }
    )
    response = await api.http.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": (path.name, path.read_bytes(), "application/octet-stream")},
        headers={"Authorization": f"Bearer {api.key}", **PREFLIGHT},
    )
    body = response.json()["data"]["uploadAsset"]
    assert body["userErrors"] == [], body
    asset_id: str = body["asset"]["id"]
    return asset_id


async def make_brand(api: Any, directory: Path, *, music_seconds: float = 14.0) -> Brand:
    """A client with brand colours, a campaign, a logo, two product shots and a music track."""
    client_id = await create_client(api, "Northwind", brandColors=BRAND_COLORS)
    campaign_id = await create_campaign(api, client_id, "Spring")
    directory.mkdir(parents=True, exist_ok=True)
    logo = draw_logo(directory / "logo.png", "Northwind", BRAND_COLORS, size=360)
    product_a = draw_product(directory / "p1.png", 0, BRAND_COLORS, size=600)
    product_b = draw_product(directory / "p2.png", 1, BRAND_COLORS, size=600)
    music = await make_music(directory / "music.m4a", music_seconds)
    return Brand(
        client_id=client_id,
        campaign_id=campaign_id,
        logo=await upload(api, logo, "LOGO", campaign_id),
        products=[
            await upload(api, product_a, "PRODUCT", campaign_id),
            await upload(api, product_b, "PRODUCT", campaign_id),
        ],
        music=await upload(api, music, "MUSIC", campaign_id),
    )


async def create_job(api: Any, brand: Brand, **overrides: Any) -> str:
    """Create a job (auto-approved, 9:16, with the brand assets and music unless overridden)."""
    data: dict[str, Any] = {
        "campaignId": brand.campaign_id,
        "brief": {
            "product": "TrailRunner shoes",
            "audience": "trail runners",
            "tone": "energetic",
            "callToAction": "Shop now",
        },
        "durationSeconds": 6.0,
        "aspectRatio": "PORTRAIT_9_16",
        "sceneCount": 3,
        "continuity": True,
        "autoApprove": True,
        "assetIds": [brand.logo, *brand.products],
        "music": brand.music,
    }
    data.update(overrides)
    body = payload(await api(CREATE_JOB, {"input": data}), "createJob")
    assert body["userErrors"] == [], body
    job_id: str = body["job"]["id"]
    return job_id


async def job_state(api: Any, job_id: str) -> dict[str, Any]:
    """The job with its scenes, renders and output."""
    response = await api(JOB, {"id": job_id})
    assert "errors" not in response, response
    node: dict[str, Any] = response["data"]["node"]
    return node


async def wait_for_job(
    api: Any, job_id: str, statuses: set[str], *, timeout: float = 300.0, interval: float = 0.25
) -> dict[str, Any]:
    """Poll until the job's status is one of ``statuses`` (fails fast on an unexpected end)."""
    deadline = time.monotonic() + timeout
    final = {"COMPLETED", "FAILED", "CANCELED"}
    while True:
        job = await job_state(api, job_id)
        if job["status"] in statuses:
            return job
        if job["status"] in final:
            raise AssertionError(f"job ended {job['status']}, waited for {statuses}: {job}")
        if time.monotonic() > deadline:
            raise AssertionError(f"job still {job['status']} after {timeout}s: {job}")
        await asyncio.sleep(interval)


async def wait_for_render(
    api: Any, job_id: str, render_id: str, *, timeout: float = 600.0, interval: float = 0.25
) -> dict[str, Any]:
    """Poll until the job's render ``render_id`` is COMPLETED or FAILED; that render."""
    deadline = time.monotonic() + timeout
    while True:
        job = await job_state(api, job_id)
        render: dict[str, Any] = next(r for r in job["renders"] if r["id"] == render_id)
        if render["status"] in ("COMPLETED", "FAILED"):
            return render
        if time.monotonic() > deadline:
            raise AssertionError(f"render still {render['status']} after {timeout}s: {render}")
        await asyncio.sleep(interval)


async def export_aspect(api: Any, job_id: str, aspect: str) -> dict[str, Any]:
    """Export the job to ``aspect`` (MP4, 480p, fast) and wait for that render to finish."""
    body = payload(
        await api(EXPORT, {"input": {"jobId": job_id, "format": "MP4", "resolution": "P480",
                                     "aspectRatio": aspect, "quality": "FAST"}}),
        "exportJob",
    )  # fmt: skip
    assert body["userErrors"] == [], body
    return await wait_for_render(api, job_id, body["render"]["id"])


async def download(http: httpx.AsyncClient, url: str, target: Path) -> Path:
    """Fetch a signed ``/files`` URL through the test client into ``target``."""
    parts = urlsplit(url)
    response = await http.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.text
    target.write_bytes(response.content)
    return target


# --- decoding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    """What decoding a video found."""

    width: int
    height: int
    frames: int
    fps: float
    has_audio: bool

    @property
    def seconds(self) -> float:
        return self.frames / self.fps


def _ffmpeg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", *args],
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def decode(path: Path) -> Decoded:
    """Decode every video frame (counting them) and look for an audio stream."""
    done = _ffmpeg("-i", str(path), "-map", "0:v:0", "-f", "null", "-")
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, err[-2000:]
    video = re.search(r"Stream #0:\d+.*?: Video: .*?, (\d{2,5})x(\d{2,5})", err)
    fps = re.search(r", ([\d.]+) fps", err)
    frames = re.findall(r"frame=\s*(\d+)", err)
    assert video and fps and frames, err[-2000:]
    return Decoded(
        width=int(video.group(1)),
        height=int(video.group(2)),
        frames=int(frames[-1]),
        fps=float(fps.group(1)),
        has_audio=bool(re.search(r"Stream #0:\d+.*?: Audio: ", err)),
    )


def integrated_loudness(path: Path) -> float:
    """EBU R128 integrated loudness (LUFS) of the file's audio, measured by FFmpeg."""
    done = _ffmpeg(
        "-i", str(path), "-map", "0:a:0", "-af", "ebur128=framelog=quiet", "-f", "null", "-"
    )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, err[-2000:]
    found = re.findall(r"I:\s+(-?[\d.]+) LUFS", err)
    assert found, err[-2000:]
    return float(found[-1])


def frames_rgb(path: Path) -> np.ndarray:
    """Every frame of a video as an array (frames, height, width, 3) of uint8 RGB."""
    info = decode(path)
    done = _ffmpeg("-i", str(path), "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
    assert done.returncode == 0, done.stderr[-2000:]
    data = np.frombuffer(done.stdout, dtype=np.uint8)
    return data.reshape(-1, info.height, info.width, 3)


def png_rgb(path: Path) -> np.ndarray:
    """A PNG as an (height, width, 3) uint8 RGB array."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB between two same-sized 8-bit images."""
    assert a.shape == b.shape, (a.shape, b.shape)
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


# --- worker processes -------------------------------------------------------------------------


def worker_env(**settings: Any) -> dict[str, str]:
    """The environment of an ``adreel worker`` subprocess: ``ADREEL_*`` from ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADREEL_")}
    for key, value in settings.items():
        if value is not None:
            env[f"ADREEL_{key.upper()}"] = str(value)
    return env


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment of an ``adreel worker`` subprocess that runs with the same settings as
    ``settings`` (every field the test set; lists as JSON, secrets revealed)."""
    values: dict[str, Any] = {}
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, list | tuple | dict):
            value = json.dumps(value, default=str)
        values[name] = value
    return worker_env(**values)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``adreel worker`` in its own process group, logging to ``log``."""
    handle = log.open("ab")
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "adreel"), "worker"],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop a worker (SIGTERM: graceful; SIGKILL: a crash) and reap it."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def processes_mentioning(text: str) -> list[int]:
    """PIDs of running processes whose command line contains ``text`` (our own scratch paths)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            )
        except OSError:
            continue
        if text in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


def kill_pids(pids: list[int]) -> None:
    """SIGKILL these processes (started by this test), ignoring ones already gone."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def rendering_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test that renders whole ads on the embedded default: SQLite in
    ``data_dir``, small frames, short leases and quick sweeps (``overrides`` win)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "env": "test",
        "data_dir": data_dir,
        "database_url": f"sqlite+aiosqlite:///{data_dir / 'test.sqlite3'}",
        "redis_url": None,
        "public_url": "http://adreel.test",
        "secret_key": "test-secret-" + os.urandom(16).hex(),
        "render_resolution": "P480",
        "lease_seconds": 5,
        "sweep_interval_seconds": 0.5,
    }
    values.update(overrides)
    return Settings(**values)
