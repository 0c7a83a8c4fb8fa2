"""The one FFmpeg runner: argv in (never a shell), progress out, timeout, kill on cancel.

Every command runs as ``ffmpeg -hide_banner -nostdin -nostats -progress pipe:1 -y ARGS``:
progress blocks arrive on stdout, diagnostics on stderr (the last lines are kept for errors).
A command may read frames the caller makes on standard input (``-i pipe:0``): a thread makes and
writes them through a blocking pipe, so FFmpeg's reading paces their making.
A cancelled or timed-out run kills the child and waits for it, so no process or zombie is left.
Each run is logged at DEBUG with its outcome, wall time and exact argv (where a job's time went).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import inspect
import logging
import os
import shlex
import signal
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from domain.media.errors import MediaError, MediaTimeout, MediaTooLarge
from domain.media.types import ProgressCallback
from domain.observability import tracing
from domain.observability.metrics import record_ffmpeg

GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1", "-y")
_READ_CHUNK = 65536
_MAX_LINE = 2000
_PR_SET_PDEATHSIG = 1

log = logging.getLogger(__name__)


@functools.cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def die_with_parent_hook() -> Callable[[], None] | None:
    """A ``preexec_fn`` making the child get SIGKILL when its parent dies, even by SIGKILL.

    Without it a worker killed mid-render leaves its FFmpeg running until it finishes. Linux only;
    elsewhere ``None`` (the sweeper still discards the orphan's output).
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os._exit(1)

    return hook


@dataclass(frozen=True, slots=True)
class RunResult:
    """A finished run: the kept stderr lines and the last progress block."""

    stderr: str
    progress: dict[str, str] = field(default_factory=dict)

    @property
    def frames(self) -> int | None:
        """Frames written to the output (the final ``frame=`` value)."""
        value = self.progress.get("frame", "")
        return int(value) if value.isdigit() else None

    @property
    def out_seconds(self) -> float | None:
        """Output time reached (the final ``out_time_us``), in seconds."""
        value = self.progress.get("out_time_us", "")
        return int(value) / 1_000_000 if value.lstrip("-").isdigit() else None


def progress_fraction(block: dict[str, str], duration: float | None) -> float | None:
    """Fraction done for one progress block, or ``None`` when unknown."""
    if block.get("progress") == "end":
        return 1.0
    if not duration or duration <= 0:
        return None
    raw = block.get("out_time_us", "")
    if not raw.lstrip("-").isdigit():
        return None
    return max(0.0, min(1.0, int(raw) / 1_000_000 / duration))


def _lines(stream: asyncio.StreamReader) -> Callable[[], Awaitable[list[str] | None]]:
    buffer = b""

    async def read() -> list[str] | None:
        nonlocal buffer
        chunk = await stream.read(_READ_CHUNK)
        if not chunk:
            rest, buffer = buffer, b""
            return [rest.decode("utf-8", "replace")[:_MAX_LINE]] if rest else None
        buffer += chunk
        parts = buffer.replace(b"\r", b"\n").split(b"\n")
        buffer = parts.pop()
        if len(buffer) > _MAX_LINE * 4:  # a runaway line: keep its start, drop the rest
            parts.append(buffer[:_MAX_LINE])
            buffer = b""
        return [p.decode("utf-8", "replace")[:_MAX_LINE] for p in parts]

    return read


class FfmpegRunner:
    """Runs FFmpeg commands built by :mod:`domain.media` builders."""

    def __init__(
        self,
        binary: str,
        *,
        timeout: float = 3600.0,
        stderr_lines: int = 400,
        error_lines: int = 25,
    ) -> None:
        self.binary = binary
        self.timeout = timeout
        self.stderr_lines = stderr_lines
        self.error_lines = error_lines

    def argv(self, args: Sequence[str]) -> list[str]:
        """The exact argv executed for ``args``."""
        return [self.binary, *GLOBAL_ARGS, *args]

    async def run(
        self,
        args: Sequence[str],
        *,
        duration: float | None = None,
        on_progress: ProgressCallback | None = None,
        time_limit: float | None = None,
        on_spawn: Callable[[int], None] | None = None,
        stdin: Iterable[bytes | memoryview] | None = None,
    ) -> RunResult:
        """Run to completion; raises :class:`MediaError` (with the stderr tail) on failure.

        ``duration`` (seconds of output expected) turns ``out_time_us`` into a fraction for
        ``on_progress``; ``time_limit`` bounds the whole run (default: the runner's timeout).
        ``stdin`` is written to FFmpeg's standard input, each chunk in full before the next is
        asked for (so a chunk may reuse the previous one's buffer).
        """
        started = time.perf_counter()
        outcome = "error"
        try:
            with tracing.span("ffmpeg", "client", argc=len(args)):
                result = await self._run(args, duration, on_progress, time_limit, on_spawn, stdin)
            outcome = "ok"
            return result
        except MediaTimeout:
            outcome = "timeout"
            raise
        except asyncio.CancelledError:
            outcome = "canceled"
            raise
        finally:
            seconds = time.perf_counter() - started
            record_ffmpeg(outcome, seconds)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("ffmpeg %s in %.2f s: %s", outcome, seconds, shlex.join(self.argv(args)))

    async def _run(
        self,
        args: Sequence[str],
        duration: float | None,
        on_progress: ProgressCallback | None,
        time_limit: float | None,
        on_spawn: Callable[[int], None] | None,
        stdin: Iterable[bytes | memoryview] | None,
    ) -> RunResult:
        limit = self.timeout if time_limit is None else time_limit
        read_end, write_end = os.pipe() if stdin is not None else (None, None)
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv(args),
                stdin=asyncio.subprocess.DEVNULL if read_end is None else read_end,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
                preexec_fn=die_with_parent_hook(),
            )
        except BaseException:
            if write_end is not None:
                os.close(write_end)
            raise
        finally:
            if read_end is not None:
                os.close(read_end)
        tail: deque[str] = deque(maxlen=self.stderr_lines)
        last_block: dict[str, str] = {}

        async def pump_stderr() -> None:
            assert process.stderr is not None
            read = _lines(process.stderr)
            while (lines := await read()) is not None:
                tail.extend(line for line in lines if line.strip())

        async def pump_progress() -> None:
            assert process.stdout is not None
            read = _lines(process.stdout)
            block: dict[str, str] = {}
            reported = -1.0
            while (lines := await read()) is not None:
                for line in lines:
                    key, sep, value = line.partition("=")
                    if not sep:
                        continue
                    block[key.strip()] = value.strip()
                    if key.strip() != "progress":
                        continue
                    last_block.clear()
                    last_block.update(block)
                    fraction = progress_fraction(block, duration)
                    block = {}
                    if on_progress is None or fraction is None:
                        continue
                    if fraction >= 1.0 or fraction - reported >= 0.01:
                        reported = fraction
                        outcome = on_progress(fraction)
                        if inspect.isawaitable(outcome):
                            # a cancel lets a progress write finish: never a transaction cut
                            # in the middle, holding the database while nothing owns it
                            await asyncio.shield(outcome)

        try:
            if on_spawn is not None:
                on_spawn(process.pid)
            async with asyncio.timeout(limit):
                async with asyncio.TaskGroup() as group:
                    group.create_task(pump_stderr())
                    group.create_task(pump_progress())
                    if write_end is not None and stdin is not None:
                        # submitted now: the thread owns (and closes) the pipe even if cancelled
                        feeding = asyncio.get_running_loop().run_in_executor(
                            None, _feed, write_end, stdin
                        )
                        write_end = None
                        group.create_task(_wait(feeding))
                returncode = await process.wait()
        except TimeoutError:
            await _kill(process)
            raise MediaTimeout(limit, stderr_tail=self._tail(tail)) from None
        except BaseException:
            await _kill(process)
            raise
        finally:
            if write_end is not None:
                os.close(write_end)
        stderr = "\n".join(tail)
        if returncode != 0:
            raise self._error(returncode, tail)
        return RunResult(stderr, dict(last_block))

    def _tail(self, tail: deque[str]) -> str:
        return "\n".join(list(tail)[-self.error_lines :])

    def _error(self, returncode: int, tail: deque[str]) -> MediaError:
        text = self._tail(tail)
        if "exceeds specified max pixel count" in "\n".join(tail):
            return MediaTooLarge("the picture is larger than the pixel limit", stderr_tail=text)
        last = next(
            (line for line in tail if _is_error_line(line)),
            next((line for line in reversed(tail) if line.strip()), ""),
        )
        return MediaError(
            f"ffmpeg failed (exit {returncode}): {last.strip()[:300]}",
            stderr_tail=text,
            returncode=returncode,
        )


_BORING = (
    "Conversion failed!",
    "Error sending frames",
    "Task finished with error",
    "Terminating thread",
)


def _is_error_line(line: str) -> bool:
    """A line that explains a failure (not FFmpeg's generic follow-ups)."""
    lowered = line.lower()
    if any(boring.lower() in lowered for boring in _BORING):
        return False
    return any(word in lowered for word in ("error", "invalid", "failed", "not found", "no such"))


async def _wait(future: asyncio.Future[None]) -> None:
    await future


def _feed(fd: int, chunks: Iterable[bytes | memoryview]) -> None:
    """Write every chunk to the pipe ``fd`` (blocking, so FFmpeg's reading paces the making),
    then close it; stops quietly when FFmpeg stops reading (its exit status tells why)."""
    with open(fd, "wb", buffering=0) as pipe:
        try:
            for chunk in chunks:
                view = memoryview(chunk).cast("B")
                while view:
                    written = pipe.write(view)
                    view = view[written or 0 :]
        except BrokenPipeError:
            return


async def _kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL the child if it still runs, then reap it (shielded from a second cancel)."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    with contextlib.suppress(ProcessLookupError):
        await asyncio.shield(process.wait())


__all__ = ["GLOBAL_ARGS", "FfmpegRunner", "ProgressCallback", "RunResult", "progress_fraction"]
