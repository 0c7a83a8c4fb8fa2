"""Brand fonts: typed by their magic bytes, then parsed whole before they are used."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.assets.sniff import OTF, TTF, UnsupportedMedia, sniff
from domain.enums import AssetKind, AssetRole, SceneBeat
from domain.errors import ErrorCode
from domain.media.font_file import FontRefused, read_font
from domain.rules.asset_roles import PlanAsset, assign_assets, effective_role, role_fits_kind
from tests.support.brand_fonts import (
    garbage_with_magic,
    lying_header,
    make_otf,
    noto_italic,
    truncated,
)


def test_magic_bytes_type_fonts() -> None:
    data = noto_italic().read_bytes()
    assert sniff(data[:4096]) == TTF
    assert sniff(b"true" + data[4:4096]) == TTF
    assert sniff(b"OTTO" + data[4:4096]) == OTF
    assert TTF.kind is AssetKind.FONT and TTF.content_type == "font/ttf"
    for head, word in ((b"wOFF", "WOFF"), (b"wOF2", "WOFF"), (b"ttcf", "TTC")):
        with pytest.raises(UnsupportedMedia, match=word):
            sniff(head + data[4:4096])


def test_real_fonts_parse(tmp_path: Path) -> None:
    noto = read_font(noto_italic(), "ttf")
    assert (noto.family, noto.style, noto.outlines) == ("Noto Sans", "Italic", "truetype")
    assert noto.characters > 2000
    box = read_font(make_otf(tmp_path / "box.otf"), "otf")
    assert (box.family, box.outlines, box.characters) == ("Box Brand", "cff", 36)


@pytest.mark.parametrize(
    ("make", "container", "message"),
    [
        (lambda d: truncated(d), "ttf", "not a usable font"),
        (lambda d: lying_header(d), "otf", "does not match its outlines"),
        (lambda d: garbage_with_magic(), "ttf", "not a usable font"),
    ],
)
def test_corrupt_or_lying_fonts_are_refused(
    tmp_path: Path, make: object, container: str, message: str
) -> None:
    bad = tmp_path / f"bad.{container}"
    bad.write_bytes(make(noto_italic().read_bytes()))  # type: ignore[operator]
    with pytest.raises(FontRefused, match=message) as caught:
        read_font(bad, container)
    assert caught.value.code is ErrorCode.UNSUPPORTED_MEDIA
    assert caught.value.field == ["file"]


def test_a_font_plays_no_scene() -> None:
    font = PlanAsset("f", None, AssetKind.FONT)
    assert effective_role(font) is AssetRole.FONT
    assert role_fits_kind(AssetRole.FONT, AssetKind.FONT)
    assert not role_fits_kind(AssetRole.PRODUCT, AssetKind.FONT)
    assert not role_fits_kind(AssetRole.FONT, AssetKind.IMAGE)
    placed = assign_assets([SceneBeat.HOOK, SceneBeat.PRODUCT, SceneBeat.END_CARD], [font])
    assert placed.scene_assets == ((), (), ()) and placed.unplaced == ("f",)
