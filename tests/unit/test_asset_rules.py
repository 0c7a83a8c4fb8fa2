"""Pure asset rules: limits and HTTP Range parsing."""

from __future__ import annotations

import pytest

from domain.assets.limits import AssetLimits, check_media, check_size
from domain.enums import AssetKind
from domain.errors import DomainError
from resolvers.files import parse_range


def test_limits() -> None:
    limits = AssetLimits(
        max_image_bytes=10, max_video_bytes=100, max_audio_bytes=50, max_font_bytes=20
    )
    assert limits.max_bytes() == 100
    assert limits.max_bytes(AssetKind.FONT) == 20
    assert limits.max_bytes(AssetKind.IMAGE) == 10
    check_size(limits, AssetKind.IMAGE, 10)
    with pytest.raises(DomainError) as err:
        check_size(limits, AssetKind.IMAGE, 11)
    assert err.value.code == "TOO_LARGE"
    with pytest.raises(DomainError) as err:
        check_size(limits, AssetKind.AUDIO, 0)
    assert err.value.code == "UNSUPPORTED_MEDIA"


def test_media_limits() -> None:
    limits = AssetLimits()
    check_media(limits, AssetKind.IMAGE, width=4096, height=4096, duration_seconds=None)
    with pytest.raises(DomainError) as err:
        check_media(limits, AssetKind.IMAGE, width=4097, height=4096, duration_seconds=None)
    assert err.value.code == "LIMIT_EXCEEDED"
    with pytest.raises(DomainError) as err:
        check_media(limits, AssetKind.VIDEO, width=64, height=48, duration_seconds=601)
    assert err.value.code == "LIMIT_EXCEEDED"
    with pytest.raises(DomainError):
        check_media(limits, AssetKind.AUDIO, width=None, height=None, duration_seconds=None)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=0-0", (0, 0)),
        ("bytes=0-1,5-6", None),  # multi-range: the whole file
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_parse_range(header: str, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-2", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header, 1000)
