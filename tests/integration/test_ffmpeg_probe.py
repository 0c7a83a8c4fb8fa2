"""The hardened probe on real files: good formats, and the bad-input corpus refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from domain.adapters.ffmpeg.engine import FfmpegMediaEngine
from domain.adapters.ffmpeg.runner import FfmpegRunner
from domain.errors import DomainError, ErrorCode
from domain.media.errors import MediaError
from domain.media.probe import probe_args
from domain.media.types import MediaInput
from tests.support.ffmpeg_checks import ffmpeg, make
from tests.support.http_server import send, serve

VIDEO = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2"]
TONE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
STILL = ["-f", "lavfi", "-i", "testsrc2=size=160x120", "-frames:v", "1"]

GOOD = {
    "a.mp4": ([*VIDEO, *TONE, "-c:v", "libx264", "-c:a", "aac", "-shortest"], "mov", "h264", "aac"),
    "a.mov": ([*VIDEO, *TONE, "-c:v", "prores_ks", "-c:a", "pcm_s16le", "-shortest"], "mov", "prores", "pcm_s16le"),
    "a.webm": ([*VIDEO, *TONE, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-c:a", "libopus", "-shortest"], "matroska", "vp9", "opus"),
    "a.mp3": ([*TONE, "-c:a", "libmp3lame"], "mp3", None, "mp3"),
    "a.wav": ([*TONE], "wav", None, "pcm_s16le"),
    "a.m4a": ([*TONE, "-c:a", "aac"], "mov", None, "aac"),
    "a.aac": ([*TONE, "-c:a", "aac"], "aac", None, "aac"),
    "a.ogg": ([*TONE, "-c:a", "libvorbis"], "ogg", None, "vorbis"),
    "a.png": ([*STILL], "png_pipe", "png", None),
    "a.jpg": ([*STILL], "jpeg_pipe", "mjpeg", None),
    "a.webp": ([*STILL, "-c:v", "libwebp"], "webp_pipe", "webp", None),
}  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> FfmpegMediaEngine:
    return FfmpegMediaEngine()


@pytest.mark.parametrize("name", sorted(GOOD))
async def test_probe_reads_every_allowed_format(
    engine: FfmpegMediaEngine, tmp_path: Path, name: str
) -> None:
    args, demuxer, video, audio = GOOD[name]
    path = tmp_path / name
    make(*args, str(path))
    info = await engine.probe(path)
    assert info.container == demuxer
    assert info.video_codec == video
    assert info.audio_codec == audio
    assert info.has_audio is (audio is not None)
    if video is not None:
        assert (info.width, info.height) == (160, 120)
    if name in ("a.mp4", "a.mov", "a.webm"):
        assert info.fps == 25.0
    if video is None or name in ("a.mp4", "a.mov", "a.webm"):
        assert info.duration is not None and abs(info.duration - 2.0) < 0.1
    else:
        assert info.duration is None  # stills have no duration


async def test_probe_reports_a_video_without_audio(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    path = tmp_path / "silent.mp4"
    make(*VIDEO, "-c:v", "libx264", str(path))
    info = await engine.probe(path)
    assert info.has_video and not info.has_audio


async def _refused(engine: FfmpegMediaEngine, path: Path, code: ErrorCode) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await engine.probe(path)
    assert caught.value.code == code, caught.value.message
    return caught.value


async def test_bad_inputs_are_refused_with_codes(engine: FfmpegMediaEngine, tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    await _refused(engine, empty, ErrorCode.UNSUPPORTED_MEDIA)

    text = tmp_path / "text.png"
    text.write_text("hello, not a picture\n")
    await _refused(engine, text, ErrorCode.UNSUPPORTED_MEDIA)

    good = tmp_path / "whole.mp4"
    make(*VIDEO, "-c:v", "libx264", str(good))
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    error = await _refused(engine, truncated, ErrorCode.UNSUPPORTED_MEDIA)
    assert isinstance(error, MediaError) and error.stderr_tail

    huge = tmp_path / "huge.png"
    make("-f", "lavfi", "-i", "color=c=red:size=8000x8000", "-frames:v", "1", str(huge))
    await _refused(engine, huge, ErrorCode.TOO_LARGE)

    missing = tmp_path / "gone.mp4"
    await _refused(engine, missing, ErrorCode.NOT_FOUND)


def _playlist(directory: Path, name: str, port: int) -> Path:
    path = directory / name
    path.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:2.0,\nhttp://127.0.0.1:{port}/segment.ts\n#EXT-X-ENDLIST\n"
    )
    return path


async def test_hls_playlist_renamed_mp4_is_never_followed(
    engine: FfmpegMediaEngine, tmp_path: Path
) -> None:
    segment = tmp_path / "segment.ts"
    make(*VIDEO, "-c:v", "libx264", "-f", "mpegts", str(segment))
    body = segment.read_bytes()
    playlist = _playlist(tmp_path, "list.m3u8", 0)
    routes = {
        "/segment.ts": lambda h: send(h, 200, body, Content_Type="video/mp2t"),
        "/list.m3u8": lambda h: send(
            h, 200, playlist.read_bytes(), Content_Type="application/vnd.apple.mpegurl"
        ),
    }
    with serve(routes) as server:
        _playlist(tmp_path, "list.m3u8", server.port)
        # control: plain ffmpeg on a playlist really fetches the segment (so the test can fail)
        subprocess.run(
            [ffmpeg(), "-hide_banner", "-nostdin", "-i", server.url("/list.m3u8"), "-t", "0.1",
             "-f", "null", "-"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        assert any(path == "/segment.ts" for _, path, _ in server.requests)
        server.requests.clear()

        renamed = _playlist(tmp_path, "renamed.mp4", server.port)
        await _refused(engine, renamed, ErrorCode.UNSUPPORTED_MEDIA)
        # even forced through FFmpeg with the probe's own argv, nothing is fetched
        runner = FfmpegRunner(engine.runner.binary)
        for demuxer in ("mov", "hls"):
            with pytest.raises(MediaError):
                await runner.run(probe_args(MediaInput(renamed, demuxer)), time_limit=30)
        assert server.requests == []
