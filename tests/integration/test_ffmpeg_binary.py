"""FFmpeg discovery: configured binary, then a recent system ffmpeg, then the wheel's."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import imageio_ffmpeg
import pytest

from domain.adapters.ffmpeg.binary import ENV_VAR, ffmpeg_version, find_ffmpeg
from domain.errors import ErrorCode
from domain.media.errors import FfmpegUnavailable

WHEEL = str(imageio_ffmpeg.get_ffmpeg_exe())


def _fake_ffmpeg(directory: Path, version: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ffmpeg"
    path.write_text(
        f"#!/bin/sh\necho 'ffmpeg version {version} Copyright (c) the FFmpeg developers'\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def test_configured_path_wins(tmp_path: Path) -> None:
    fake = _fake_ffmpeg(tmp_path / "custom", "4.0")
    assert find_ffmpeg(str(fake), environ={}) == str(fake.resolve())


def test_environment_variable_is_honoured(tmp_path: Path) -> None:
    fake = _fake_ffmpeg(tmp_path / "custom", "7.0")
    assert find_ffmpeg(None, environ={ENV_VAR: str(fake)}) == str(fake.resolve())


def test_missing_configured_binary_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FfmpegUnavailable) as caught:
        find_ffmpeg(str(tmp_path / "nope" / "ffmpeg"), environ={})
    assert caught.value.code == ErrorCode.PROVIDER_UNAVAILABLE


def test_recent_system_ffmpeg_beats_the_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_ffmpeg(tmp_path / "bin", "7.1.1")
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    assert find_ffmpeg(None, environ={}) == str(fake)
    assert ffmpeg_version(str(fake)) == (7, 1)


def test_old_system_ffmpeg_falls_back_to_the_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_ffmpeg(tmp_path / "bin", "4.4.2-0ubuntu0.22.04.1")
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    assert find_ffmpeg(None, environ={}) == WHEEL


def test_without_system_ffmpeg_the_wheel_binary_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    found = find_ffmpeg(None, environ={})
    assert found == WHEEL
    version = ffmpeg_version(found)
    assert version is not None and version >= (6, 1)
