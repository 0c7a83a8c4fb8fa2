"""What the benchmarks read about a server process (Linux ``/proc``) and a free loopback port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User + system CPU time ``pid`` has used so far; with ``children``, its reaped children's
    too (ffprobe, ffmpeg)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = fields[11:15] if children else fields[11:13]
    return sum(int(f) for f in ticks) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """The resident memory of ``pid``."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                todo.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return found


def tree_rss(pids: list[int]) -> int:
    """The resident memory of these processes (those gone meanwhile count nothing)."""
    return round(sum(_or_zero(rss_bytes, pid) for pid in pids))


def tree_cpu(pids: list[int]) -> float:
    """User + system time of the processes and of their reaped children (ffprobe, ...)."""
    return sum(_or_zero(lambda p: cpu_seconds(p, children=True), pid) for pid in pids)


def _or_zero(read: Callable[[int], float], pid: int) -> float:
    try:
        return read(pid)
    except OSError:
        return 0


class PeakRss:
    """Samples a process's RSS (with ``whole_tree``, its process tree's) every 20 ms in a
    thread; ``peak`` is the highest seen."""

    def __init__(self, pid: int, *, whole_tree: bool = False) -> None:
        self.pid = pid
        self.read = (lambda p: tree_rss(tree(p))) if whole_tree else rss_bytes
        self.peak = self.read(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.read(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


__all__ = ["PeakRss", "cpu_seconds", "free_port", "rss_bytes", "tree", "tree_cpu", "tree_rss"]
