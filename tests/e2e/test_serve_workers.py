"""``adreel serve --workers N``: several API processes on one port, sharing limits through Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.redis_server import SHARED_REDIS_URL, unique_prefix

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys, cli; sys.exit(cli.main())"]
VIEWER = {"query": "{ viewer { organization { name } } }"}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADREEL_")}
    env.update(ADREEL_ENV="development", ADREEL_DATA_DIR=str(tmp_path / "var"), **extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_workers_need_redis(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "serve", "--workers", "2"],
        env=_env(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "ADREEL_REDIS_URL" in result.stderr


@pytest.mark.redis
def test_workers_share_one_rate_limit(tmp_path: Path) -> None:
    prefix = unique_prefix()
    env = _env(
        tmp_path,
        ADREEL_REDIS_URL=SHARED_REDIS_URL,
        ADREEL_BUS_CHANNEL_PREFIX=prefix,
        ADREEL_QUEUE_NAME=f"{prefix}queue",
        ADREEL_RATE_LIMIT_PER_MINUTE="1",
        ADREEL_RATE_LIMIT_BURST="4",
    )
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*CLI, "serve", "--workers", "2", "--port", str(port)],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        key = subprocess.run(
            [*CLI, "keys", "create", "--org", "workers"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=120,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(0.1)
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(workers) >= 2  # the two API processes (and uvicorn's own helpers)

        codes = []
        for _ in range(16):  # a new connection each time: the processes take turns accepting
            with httpx.Client() as client:
                body = client.post(
                    f"{url}/graphql", json=VIEWER, headers={"Authorization": f"Bearer {key}"}
                ).json()
            codes.append((body.get("errors") or [{}])[0].get("extensions", {}).get("code"))
        answered = codes.count(None)
        # one bucket of 4 for the key whatever process answers (per process it would be 4 each)
        assert 4 <= answered <= 5, codes
        assert codes.count("RATE_LIMITED") == len(codes) - answered
    finally:
        server.terminate()
        server.wait(30)
        log.close()
