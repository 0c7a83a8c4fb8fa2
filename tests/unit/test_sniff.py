"""Type sniffing by magic bytes (pure)."""

from __future__ import annotations

import pytest

from domain.assets import sniff as s
from domain.enums import AssetKind


def box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", s.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", s.JPEG),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", s.WEBP),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", s.WAV),
        (box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41"), s.MP4),
        (box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom"), s.MP4),
        (box(b"ftyp", b"qt  \x00\x00\x02\x00qt  "), s.MOV),
        (box(b"wide", b"") + box(b"mdat", b"\x00" * 8), s.MOV),
        (box(b"ftyp", b"M4A \x00\x00\x02\x00M4A isom"), s.M4A),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm\x42\x87", s.WEBM),
        (b"OggS\x00\x02" + b"\x00" * 20, s.OGG),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", s.MP3),
        (b"\xff\xfb\x90\x64\x00", s.MP3),
        (b"\xff\xf1\x50\x80\x02\x1f\xfc", s.AAC),
    ],
)
def test_allowed_formats(head: bytes, expected: s.Sniffed) -> None:
    assert s.sniff(head) == expected


def test_kinds() -> None:
    assert s.sniff(b"\x89PNG\r\n\x1a\n").kind is AssetKind.IMAGE
    assert s.sniff(box(b"ftyp", b"isom\x00\x00\x00\x00")).kind is AssetKind.VIDEO
    assert s.sniff(b"OggS\x00\x02").kind is AssetKind.AUDIO


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"", "empty"),
        (b"#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:10,\nhttp://x/seg.ts\n", "playlist"),
        (b"\xef\xbb\xbf#EXTM3U\n", "playlist"),
        (b"<!doctype html><html>", "markup"),
        (b"  <svg xmlns='http://www.w3.org/2000/svg'/>", "markup"),
        (b"hello, this is a text file pretending to be a PNG", "unsupported file type"),
        (b"GIF89a\x01\x00\x01\x00", "unsupported file type"),
        (b"PK\x03\x04\x14\x00", "unsupported file type"),
        (b"%PDF-1.7\n", "unsupported file type"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "Matroska"),
        (box(b"ftyp", b"crx \x00\x00\x00\x00"), "brand"),
        (b"\xff\xff\xff\xff", "unsupported file type"),
        (b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "unsupported file type"),
    ],
)
def test_refused(head: bytes, message: str) -> None:
    with pytest.raises(s.UnsupportedMedia) as err:
        s.sniff(head)
    assert err.value.code == "UNSUPPORTED_MEDIA"
    assert message in err.value.message
