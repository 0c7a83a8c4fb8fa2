"""A child started by the media runner dies with its parent, even when the parent is SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import subprocess, sys
    from domain.adapters.ffmpeg.runner import die_with_parent_hook

    hook = die_with_parent_hook() if sys.argv[1] == "hook" else None
    child = subprocess.Popen(["sleep", "300"], preexec_fn=hook, start_new_session=True)
    print(child.pid, flush=True)
    child.wait()
    """
)


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _orphan_survives(mode: str) -> bool:
    parent = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, mode], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    assert _alive(child_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 3
    while _alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    survived = _alive(child_pid)
    if survived:
        os.kill(child_pid, signal.SIGKILL)
    return survived


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="parent-death signal is Linux only"
)
def test_child_dies_with_a_sigkilled_parent() -> None:
    assert _orphan_survives("plain"), "control: a plain child outlives its parent"
    assert not _orphan_survives("hook"), "a runner child must not outlive its parent"
