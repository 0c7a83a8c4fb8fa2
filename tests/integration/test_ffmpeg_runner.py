"""The one FFmpeg runner against the real binary: progress, errors, timeout and cancellation."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from domain.adapters.ffmpeg.binary import find_ffmpeg
from domain.adapters.ffmpeg.runner import GLOBAL_ARGS, FfmpegRunner
from domain.errors import ErrorCode
from domain.media.errors import MediaError, MediaTimeout

ENDLESS = ["-re", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-f", "null", "-"]


def _gone(pid: int) -> bool:
    """True when no process (not even a zombie) has this pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def runner() -> FfmpegRunner:
    return FfmpegRunner(find_ffmpeg(), timeout=60)


def test_argv_is_binary_global_flags_then_args(runner: FfmpegRunner) -> None:
    assert runner.argv(["-i", "x"]) == [runner.binary, *GLOBAL_ARGS, "-i", "x"]
    assert GLOBAL_ARGS == ("-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1", "-y")


async def test_progress_rises_to_one_and_frames_are_reported(
    runner: FfmpegRunner, tmp_path: Path
) -> None:
    seen: list[float] = []

    async def on_progress(fraction: float) -> None:
        seen.append(fraction)

    out = tmp_path / "out.mp4"
    result = await runner.run(
        ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=3", "-c:v", "libx264",
         "-preset", "ultrafast", "-f", "mp4", f"file:{out}"],
        duration=3.0,
        on_progress=on_progress,
    )  # fmt: skip
    assert out.stat().st_size > 0
    assert result.frames == 90
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert all(0.0 <= f <= 1.0 for f in seen)


async def test_each_run_is_logged_with_outcome_seconds_and_argv(
    runner: FfmpegRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="domain.adapters.ffmpeg.runner")
    args = ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=0.5", "-f", "null", "-"]
    await runner.run(args)
    with pytest.raises(MediaError):
        await runner.run(["-f", "mov", "-i", f"file:{tmp_path / 'missing.mp4'}", "-f", "null", "-"])
    ok, failed = [r.getMessage() for r in caplog.records if r.name.endswith("ffmpeg.runner")]
    assert ok.startswith("ffmpeg ok in ")
    assert ok.endswith(" s: " + " ".join([runner.binary, *GLOBAL_ARGS, *args[:3]]) + " "
                       "testsrc2=size=64x48:rate=10:duration=0.5 -f null -")  # fmt: skip
    assert failed.startswith("ffmpeg error in ") and "missing.mp4" in failed


async def test_failure_raises_media_error_with_stderr_tail(
    runner: FfmpegRunner, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.mp4"
    with pytest.raises(MediaError) as caught:
        await runner.run(["-f", "mov", "-i", f"file:{missing}", "-f", "null", "-"])
    error = caught.value
    assert error.code == ErrorCode.UNSUPPORTED_MEDIA
    assert error.returncode not in (None, 0)
    assert "No such file or directory" in error.stderr_tail
    assert "No such file" in error.message


async def test_timeout_kills_the_child(runner: FfmpegRunner) -> None:
    pids: list[int] = []
    with pytest.raises(MediaTimeout) as caught:
        await runner.run(ENDLESS, time_limit=1.0, on_spawn=pids.append)
    assert caught.value.retryable
    assert caught.value.code == ErrorCode.LIMIT_EXCEEDED
    assert pids and _gone(pids[0])


async def test_cancel_kills_and_reaps_the_child(runner: FfmpegRunner) -> None:
    pids: list[int] = []
    task = asyncio.create_task(runner.run(ENDLESS, on_spawn=pids.append))
    for _ in range(100):
        if pids:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    assert pids and not _gone(pids[0])  # really running
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _gone(pids[0])  # killed and reaped: not even a zombie is left


RAW_GRAY = ["-protocol_whitelist", "pipe", "-f", "rawvideo", "-pix_fmt", "gray",
            "-video_size", "8x4", "-framerate", "10", "-i", "pipe:0"]  # fmt: skip


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_frames_made_by_the_caller_are_fed_on_standard_input(
    runner: FfmpegRunner, tmp_path: Path
) -> None:
    buffer = bytearray(32)

    def frames():  # one reused buffer: each frame is written in full before the next is made
        for value in range(25):
            buffer[:] = bytes([value * 10]) * 32
            yield buffer

    out = tmp_path / "out.gray"
    before = _open_fds()
    result = await runner.run(
        [*RAW_GRAY, "-f", "rawvideo", f"file:{out}"], stdin=frames(), duration=2.5
    )
    assert result.frames == 25
    assert out.read_bytes() == b"".join(bytes([v * 10]) * 32 for v in range(25))
    assert _open_fds() == before  # both ends of the pipe are closed


async def test_a_command_that_stops_reading_its_input_ends_the_feed_quietly(
    runner: FfmpegRunner,
) -> None:
    made: list[int] = []

    def endless():
        while True:
            made.append(1)
            yield bytes(32)

    result = await runner.run([*RAW_GRAY, "-frames:v", "5", "-f", "null", "-"], stdin=endless())
    assert result.frames == 5
    assert len(made) < 100_000  # the broken pipe stopped the making

    with pytest.raises(MediaError):  # a command that fails to start reading: its own error
        await runner.run(["-f", "bogus", "-i", "pipe:0", "-f", "null", "-"], stdin=endless())


async def test_cancel_during_a_feed_kills_the_child_and_closes_the_pipe(
    runner: FfmpegRunner,
) -> None:
    pids: list[int] = []
    before = _open_fds()

    def slow():
        while True:
            yield bytes(32)

    task = asyncio.create_task(
        runner.run(["-re", *RAW_GRAY, "-f", "null", "-"], stdin=slow(), on_spawn=pids.append)
    )
    await asyncio.sleep(0.5)
    assert pids and not _gone(pids[0])  # really running, reading at its native rate
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _gone(pids[0])
    for _ in range(50):  # the feeding thread sees the broken pipe and closes its end
        if _open_fds() == before:
            break
        await asyncio.sleep(0.05)
    assert _open_fds() == before


async def test_a_cancel_lets_a_progress_write_in_flight_finish(runner: FfmpegRunner) -> None:
    """A progress callback is a database write: a cancel never cuts it in the middle."""
    started, finished = asyncio.Event(), asyncio.Event()

    async def on_progress(fraction: float) -> None:
        started.set()
        await asyncio.sleep(0.5)  # the write in flight
        finished.set()

    task = asyncio.create_task(runner.run(ENDLESS, duration=60.0, on_progress=on_progress))
    await asyncio.wait_for(started.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not finished.is_set()  # the run ended at once
    await asyncio.wait_for(finished.wait(), 5)  # and the write still completed
