"""Staging an incoming file: the cap is enforced while streaming, the type decided early."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.assets.limits import AssetLimits
from domain.errors import DomainError
from domain.services.assets import stage


async def endless(first: bytes) -> AsyncIterator[bytes]:
    yield first
    while True:
        yield b"\x00" * 65536


async def test_endless_upload_is_cut_at_the_kind_cap(tmp_path: Path) -> None:
    limits = AssetLimits(max_image_bytes=1_000_000, max_video_bytes=50_000_000)
    with pytest.raises(DomainError) as err:
        await stage(endless(b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000), tmp_path, limits)
    assert err.value.code == "TOO_LARGE"
    assert "1000000" in err.value.message  # the image cap, known from the first bytes
    assert os.listdir(tmp_path) == []


async def test_text_refused_from_the_first_bytes(tmp_path: Path) -> None:
    seen = 0

    async def text() -> AsyncIterator[bytes]:
        nonlocal seen
        while True:
            seen += 1
            yield b"hello world " * 512

    with pytest.raises(DomainError) as err:
        await stage(text(), tmp_path, AssetLimits())
    assert err.value.code == "UNSUPPORTED_MEDIA"
    assert seen == 1  # refused without reading the rest
    assert os.listdir(tmp_path) == []


async def test_announced_size_is_a_cap(tmp_path: Path) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"\x89PNG\r\n\x1a\n" + b"\x00" * 9000

    with pytest.raises(DomainError) as err:
        await stage(body(), tmp_path, AssetLimits(), max_bytes=5000)
    assert err.value.code == "TOO_LARGE"
    assert os.listdir(tmp_path) == []
