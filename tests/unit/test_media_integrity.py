"""The rules that tell a whole media file from one cut short."""

from __future__ import annotations

import struct

from domain.media.integrity import ogg_ends_whole, read_to_end_args, shortfall
from domain.media.types import MediaInput


def _page(payload: bytes, flags: int = 0) -> bytes:
    lacing = bytes([255] * (len(payload) // 255) + [len(payload) % 255])
    header = b"OggS" + struct.pack("<BBqIII", 0, flags, 0, 1, 0, 0) + bytes([len(lacing)])
    return header + lacing + payload


def test_an_ogg_file_must_end_with_a_whole_closing_page() -> None:
    whole = _page(b"a" * 300) + _page(b"OggS inside the data" * 20, flags=0x04)
    assert ogg_ends_whole(whole)
    assert not ogg_ends_whole(whole[:-1])  # the last page cut short
    assert not ogg_ends_whole(_page(b"a" * 300) + _page(b"b" * 40))  # no end of stream
    assert not ogg_ends_whole(whole + b"junk")
    assert not ogg_ends_whole(b"")


def test_packets_must_reach_the_declared_duration() -> None:
    assert shortfall(None, 1.0) is None and shortfall(0.0, None) is None
    assert shortfall(4.0, 3.9) is None  # the last frame's length, encoder padding
    assert (
        shortfall(4.0, 2.4)
        == "the file is truncated: it ends at 2.40 s of the 4.00 s its header declares"
    )
    assert shortfall(600.0, 580.0) is None and shortfall(600.0, 560.0) is not None
    assert shortfall(4.0, None) is not None


def test_reading_to_the_end_copies_without_decoding_and_stops_on_errors(tmp_path) -> None:
    args = read_to_end_args(MediaInput(tmp_path / "a.mp4", "mov"))
    assert args[args.index("-c") + 1] == "copy" and "-xerror" in args
    assert args[args.index("-f") + 1] == "mov" and "-format_whitelist" in args
