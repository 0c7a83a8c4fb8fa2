"""Whole-file checks: a truncated video or audio file must not pass for a complete one.

Probing decodes only the start of a file, and an MP4 written with ``+faststart`` keeps its index
at the front, so a file cut short still opens and its first frames decode. The check reads every
packet to the end (stream copy, no decoding: about the cost of reading the file) with
``-xerror``, which fails when the index points past the end of the file (MP4, MOV, M4A, WAV), and
compares the time the packets reach with the duration the header declares (WebM, MP3 with a
frame count, and any container whose demuxer stops quietly at the cut). An Ogg file declares no
duration; its last page must end exactly at the end of the file and close its stream.
"""

from __future__ import annotations

from domain.media.inputs import input_args
from domain.media.types import MediaInput

#: The packets may end this much before the declared duration (last frame, encoder padding).
MIN_SHORTFALL_SECONDS = 0.5
MIN_SHORTFALL_FRACTION = 0.05


def read_to_end_args(source: MediaInput) -> list[str]:
    """Stream-copy every packet of the first video and audio streams to nowhere, failing on the
    first demuxing error."""
    return [
        *input_args(source, max_pixels=None, options=["-format_whitelist", source.demuxer]),
        "-map", "0:v?", "-map", "0:a?", "-c", "copy", "-xerror", "-f", "null", "-",
    ]  # fmt: skip


def shortfall(declared: float | None, reached: float | None) -> str | None:
    """Why packets reaching ``reached`` seconds cannot be a file declaring ``declared`` seconds
    (``None`` when they can)."""
    if not declared or declared <= 0:
        return None
    tolerance = max(MIN_SHORTFALL_SECONDS, MIN_SHORTFALL_FRACTION * declared)
    if reached is None or reached + tolerance < declared:
        ends = "has no packets" if reached is None else f"ends at {reached:.2f} s"
        return f"the file is truncated: it {ends} of the {declared:.2f} s its header declares"
    return None


#: An Ogg page is at most 27 header bytes, 255 lacing values and 255 * 255 bytes of data.
OGG_MAX_PAGE = 27 + 255 + 255 * 255
_OGG_EOS = 0x04


def ogg_ends_whole(tail: bytes) -> bool:
    """Whether ``tail`` (the last :data:`OGG_MAX_PAGE` bytes of an Ogg file, or all of it) ends
    with a whole page that closes its stream (end-of-stream flag set)."""
    start = tail.rfind(b"OggS")
    while start >= 0:
        header = tail[start : start + 27]
        if len(header) == 27 and header[4] == 0:
            lacing = tail[start + 27 : start + 27 + header[26]]
            size = 27 + header[26] + sum(lacing)
            if len(lacing) == header[26] and start + size == len(tail):
                return bool(header[5] & _OGG_EOS)
        start = tail.rfind(b"OggS", 0, start)
    return False


__all__ = ["OGG_MAX_PAGE", "ogg_ends_whole", "read_to_end_args", "shortfall"]
