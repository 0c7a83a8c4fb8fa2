"""Caption files (SubRip and WebVTT) timed exactly as the captions burned into the ad."""

from __future__ import annotations

from collections.abc import Sequence

from domain.media.timing import Timeline


def _stamp(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _cues(captions: Sequence[str], timeline: Timeline) -> list[tuple[float, float, str]]:
    cues = []
    for index, caption in enumerate(captions):
        text = "\n".join(line.strip() for line in caption.strip().splitlines() if line.strip())
        if text:
            start, end = timeline.caption_window(index)
            cues.append((start, end, text))
    return cues


def srt(captions: Sequence[str], timeline: Timeline) -> str:
    """A SubRip file of the scenes' captions (empty captions are left out)."""
    blocks = [
        f"{n}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n{text}\n"
        for n, (start, end, text) in enumerate(_cues(captions, timeline), start=1)
    ]
    return "\n".join(blocks)


def webvtt(captions: Sequence[str], timeline: Timeline) -> str:
    """A WebVTT file of the scenes' captions (empty captions are left out)."""
    blocks = [
        f"{_stamp(start, '.')} --> {_stamp(end, '.')}\n{text}\n"
        for start, end, text in _cues(captions, timeline)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


__all__ = ["srt", "webvtt"]
