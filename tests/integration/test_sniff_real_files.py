"""Sniffing real files that ffmpeg writes (one per allowed format, plus refused ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.assets.sniff import SNIFF_BYTES, UnsupportedMedia, sniff
from tests.support.media import make_media

EXPECTED = {
    "png": ("IMAGE", "image/png"),
    "jpeg": ("IMAGE", "image/jpeg"),
    "webp": ("IMAGE", "image/webp"),
    "mp4": ("VIDEO", "video/mp4"),
    "mov": ("VIDEO", "video/quicktime"),
    "webm": ("VIDEO", "video/webm"),
    "mp3": ("AUDIO", "audio/mpeg"),
    "mp3-raw": ("AUDIO", "audio/mpeg"),
    "wav": ("AUDIO", "audio/wav"),
    "m4a": ("AUDIO", "audio/mp4"),
    "aac": ("AUDIO", "audio/aac"),
    "ogg": ("AUDIO", "audio/ogg"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file(name: str, tmp_path: Path) -> None:
    path = make_media(name, tmp_path)
    found = sniff(path.read_bytes()[:SNIFF_BYTES])
    assert (found.kind.value, found.content_type) == EXPECTED[name]


def test_matroska_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMedia):
        sniff(make_media("mkv", tmp_path).read_bytes()[:SNIFF_BYTES])
