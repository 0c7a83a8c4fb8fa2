"""Captions timed to speech: words with times -> short phrases -> frame-exact cues -> SRT/WebVTT.

Pure rules. Word timings come from the voice provider (ElevenLabs' character timings, grouped
into words by :func:`words_from_characters`), from forced alignment of the known text, or, when
neither is possible, from synthesising phrase by phrase (:func:`spread_words` then places the
words of each phrase inside its known span).

Phrases hold 2 to 6 words on one line of at most ``max_chars`` characters; they end at a
sentence end, at a clause mark when long enough, and at a long pause, and a lone last word is
given company from the phrase before it. Cue times are snapped to the job's frame grid, so each
cue starts and ends within half a frame of its phrase.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_WORDS = 2
MAX_WORDS = 6
MAX_CHARS = 32
#: A silence this long between two words ends the phrase (the caption should not linger).
PAUSE_SECONDS = 0.6
_SENTENCE_END = (".", "!", "?", "…")
_CLAUSE_END = (",", ";", ":", "—", "\u2013")
_CLOSERS = "\"'\u201d\u2019)]\u00bb"


@dataclass(frozen=True, slots=True)
class WordTiming:
    """One written word and when it is spoken (seconds)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive words shown together."""

    words: tuple[WordTiming, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end


@dataclass(frozen=True, slots=True)
class WordMark:
    """One word of a cue, highlighted from ``start_frame`` until ``end_frame`` (exclusive)."""

    text: str
    start_frame: int
    end_frame: int


@dataclass(frozen=True, slots=True)
class Cue:
    """A caption on screen from ``start_frame`` until ``end_frame`` (exclusive) at ``fps``."""

    text: str
    start_frame: int
    end_frame: int
    fps: int
    words: tuple[WordMark, ...] = ()

    @property
    def start(self) -> float:
        return self.start_frame / self.fps

    @property
    def end(self) -> float:
        return self.end_frame / self.fps


def words_from_characters(
    characters: Sequence[str], starts: Sequence[float], ends: Sequence[float]
) -> tuple[WordTiming, ...]:
    """Words from per-character timings (ElevenLabs' ``alignment``): runs of non-space."""
    words: list[WordTiming] = []
    text = ""
    start = end = 0.0
    for char, char_start, char_end in zip(characters, starts, ends, strict=True):
        if char.isspace():
            if text:
                words.append(WordTiming(text, start, end))
            text = ""
            continue
        if not text:
            start = char_start
        text += char
        end = max(end, char_end)
    if text:
        words.append(WordTiming(text, start, end))
    return tuple(words)


def spread_words(text: str, start: float, end: float) -> tuple[WordTiming, ...]:
    """The words of ``text`` across ``[start, end]``, each in proportion to its length."""
    words = text.split()
    if not words:
        return ()
    weights = [len(w) + 1 for w in words]
    total = sum(weights)
    span = max(0.0, end - start)
    out: list[WordTiming] = []
    at = start
    for word, weight in zip(words, weights, strict=True):
        length = span * weight / total
        out.append(WordTiming(word, at, at + length))
        at += length
    return tuple(out)


def shift(words: Sequence[WordTiming], seconds: float) -> tuple[WordTiming, ...]:
    """``words`` moved ``seconds`` later (a scene's narration placed in the ad)."""
    return tuple(WordTiming(w.text, w.start + seconds, w.end + seconds) for w in words)


def _bare(word: str) -> str:
    return word.rstrip(_CLOSERS)


def _ends_sentence(word: str) -> bool:
    return _bare(word).endswith(_SENTENCE_END)


def _ends_clause(word: str) -> bool:
    return _bare(word).endswith(_CLAUSE_END) or word in ("—", "\u2013")


def _length(words: Sequence[WordTiming]) -> int:
    return len(" ".join(w.text for w in words))


def phrases(
    words: Sequence[WordTiming],
    *,
    max_words: int = MAX_WORDS,
    max_chars: int = MAX_CHARS,
    min_words: int = MIN_WORDS,
    pause_seconds: float = PAUSE_SECONDS,
) -> tuple[Phrase, ...]:
    """Group timed words into caption phrases (see the module docstring for the rules)."""
    groups: list[list[WordTiming]] = []
    hard: list[bool] = []  # whether a group ends at a sentence end or a pause
    current: list[WordTiming] = []
    for index, word in enumerate(words):
        if current and (len(current) >= max_words or _length([*current, word]) > max_chars):
            groups.append(current)
            hard.append(False)
            current = []
        current.append(word)
        following = words[index + 1] if index + 1 < len(words) else None
        pause = following is not None and following.start - word.end >= pause_seconds
        if following is None or _ends_sentence(word.text) or pause:
            groups.append(current)
            hard.append(True)
            current = []
        elif _ends_clause(word.text) and len(current) >= min_words:
            groups.append(current)
            hard.append(False)
            current = []
    # A lone word after a soft break borrows the last word of the phrase before it.
    for index in range(1, len(groups)):
        if (
            len(groups[index]) < min_words
            and not hard[index - 1]
            and len(groups[index - 1]) > min_words
            and _length([groups[index - 1][-1], *groups[index]]) <= max_chars
        ):
            groups[index].insert(0, groups[index - 1].pop())
    return tuple(Phrase(tuple(group)) for group in groups if group)


def snap(seconds: float, fps: int) -> int:
    """The frame nearest to ``seconds`` (halves round up)."""
    return math.floor(seconds * fps + 0.5)


def cues(found: Sequence[Phrase], fps: int) -> tuple[Cue, ...]:
    """Frame-exact cues for ``found``: each at least one frame long, never overlapping."""
    out: list[Cue] = []
    for index, phrase in enumerate(found):
        start = snap(phrase.start, fps)
        if out and start < out[-1].end_frame:
            start = out[-1].end_frame
        end = max(start + 1, snap(phrase.end, fps))
        if index + 1 < len(found):
            end = min(end, max(start + 1, snap(found[index + 1].start, fps)))
        marks = _marks(phrase, start, end, fps)
        out.append(Cue(phrase.text, start, end, fps, marks))
    return tuple(out)


def _marks(phrase: Phrase, start: int, end: int, fps: int) -> tuple[WordMark, ...]:
    """Word-by-word highlight: each word from its first frame until the next word's."""
    firsts = [min(max(snap(w.start, fps), start), end - 1) for w in phrase.words]
    firsts[0] = start
    for i in range(1, len(firsts)):
        firsts[i] = max(firsts[i], firsts[i - 1])
    lasts = [*firsts[1:], end]
    return tuple(
        WordMark(w.text, first, max(first, last))
        for w, first, last in zip(phrase.words, firsts, lasts, strict=True)
    )


def caption_cues(
    words: Sequence[WordTiming],
    fps: int,
    *,
    max_words: int = MAX_WORDS,
    max_chars: int = MAX_CHARS,
) -> tuple[Cue, ...]:
    """Words with times straight to frame-exact cues."""
    return cues(phrases(words, max_words=max_words, max_chars=max_chars), fps)


def _clock(frame: int, fps: int, separator: str) -> str:
    millis = round(frame * 1000 / fps)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def to_srt(found: Sequence[Cue]) -> str:
    """SubRip text of ``found`` (numbered from 1, ``HH:MM:SS,mmm``)."""
    blocks = [
        f"{number}\n{_clock(cue.start_frame, cue.fps, ',')} --> "
        f"{_clock(cue.end_frame, cue.fps, ',')}\n{cue.text}\n"
        for number, cue in enumerate(found, 1)
    ]
    return "\n".join(blocks)


def _vtt_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(found: Sequence[Cue], *, highlight: bool = False) -> str:
    """WebVTT text of ``found``; ``highlight`` adds a timestamp tag before each word (karaoke)."""
    blocks = ["WEBVTT\n"]
    for cue in found:
        if highlight and cue.words:
            parts = [_vtt_text(cue.words[0].text)]
            last = cue.start_frame
            for mark in cue.words[1:]:
                # a timestamp tag must be later than the one before it (and the cue's start)
                tag = (
                    f"<{_clock(mark.start_frame, cue.fps, '.')}>" if mark.start_frame > last else ""
                )
                last = max(last, mark.start_frame)
                parts.append(f"{tag}{_vtt_text(mark.text)}")
            text = " ".join(parts)
        else:
            text = _vtt_text(cue.text)
        blocks.append(
            f"{_clock(cue.start_frame, cue.fps, '.')} --> {_clock(cue.end_frame, cue.fps, '.')}"
            f"\n{text}\n"
        )
    return "\n".join(blocks)


__all__ = [
    "MAX_CHARS",
    "MAX_WORDS",
    "MIN_WORDS",
    "PAUSE_SECONDS",
    "Cue",
    "Phrase",
    "WordMark",
    "WordTiming",
    "caption_cues",
    "cues",
    "phrases",
    "shift",
    "snap",
    "spread_words",
    "to_srt",
    "to_webvtt",
    "words_from_characters",
]
