"""One line of text in any script: split into runs by face and direction, shaped, drawn.

Each character goes to the first face of the :class:`~domain.media.fonts.FontChain` that has
it; spaces, punctuation, joiners and marks stay with their neighbours so words are shaped as a
whole (Pillow's Raqm layout: HarfBuzz shaping, FriBiDi inside a run). Between runs the order is
the Unicode bidirectional algorithm's, reduced to what captions need (no explicit embeddings):
the paragraph direction comes from the first strong character, numbers in right-to-left text
read left to right, neutrals take the direction around them.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

from PIL import ImageDraw, ImageFont, features

from domain.media.fonts import Face, FontChain, builtin_chain, covers, needs_glyph

RAQM = features.check("raqm")
_LAYOUT = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC
_STRONG_RTL = ("R", "AL")
_NUMBER = ("EN", "AN")


_LOCAL = threading.local()


def face_font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    """``face`` at ``size`` pixels, at its weight when it is a variable font.

    Cached per thread: a FreeType face is not safe to share between threads, and captions, cards
    and key images are drawn in worker threads.
    """
    fonts: dict[tuple[Face, int], ImageFont.FreeTypeFont] = _LOCAL.__dict__.setdefault("fonts", {})
    key = (face, size)
    if key not in fonts:
        fonts[key] = _load(face, size)
    return fonts[key]


def _load(face: Face, size: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(str(face.path), size, index=face.index, layout_engine=_LAYOUT)
    if face.weight is not None:
        try:
            axes = font.get_variation_axes()
        except OSError:  # not a variable font
            return font
        values: list[float] = []
        for axis in axes:
            low, high, default = axis["minimum"] or 0, axis["maximum"] or 0, axis["default"] or 0
            is_weight = axis.get("name") in (b"Weight", "Weight")
            values.append(max(low, min(high, face.weight)) if is_weight else default)
        font.set_variation_by_axes(values)
    return font


@dataclass(frozen=True, slots=True)
class Run:
    """Characters drawn by one face in one direction (``rtl``), in logical order."""

    text: str
    face: int
    rtl: bool


def _direction(char: str) -> str:
    kind = unicodedata.bidirectional(char)
    if kind in _STRONG_RTL:
        return "R"
    if kind == "L":
        return "L"
    if kind in _NUMBER:
        return "N"
    return ""


_OPENING = {"(": ")", "[": "]", "{": "}", "«": "»", "‹": "›", "⟨": "⟩", "（": "）"}  # noqa: RUF001


def _brackets(text: str, kinds: list[str], base: str) -> None:
    """UAX #9 rule N0: a bracket pair takes the direction of the text it encloses (or the
    text before it when that agrees), so ``(...)`` stays a pair in either direction."""
    stack: list[tuple[str, int]] = []
    for i, char in enumerate(text):
        if char in _OPENING:
            stack.append((_OPENING[char], i))
        elif stack and char == stack[-1][0]:
            _, start = stack.pop()
            inside = {k for k in kinds[start + 1 : i] if k in ("L", "R", "N")}
            inside = {"L" if k == "N" else k for k in inside}
            if base in inside:
                side = base
            elif inside:
                side = next((k for k in reversed(kinds[:start]) if k in ("L", "R")), base)
            else:
                continue
            kinds[start] = kinds[i] = side


def _levels(text: str) -> list[int]:
    kinds = [_direction(c) for c in text]
    base = next((1 if k == "R" else 0 for k in kinds if k in ("L", "R")), 0)
    _brackets(text, kinds, "R" if base else "L")
    # numbers after right-to-left text (or at the start of a right-to-left line) are "R" for
    # the neutrals around them and are laid out left to right one level up
    previous = "R" if base else "L"
    resolved: list[str] = []
    for kind in kinds:
        if kind in ("L", "R"):
            previous = kind
        resolved.append("RN" if kind == "N" and previous == "R" else kind or "")
    levels: list[int] = []
    for i, kind in enumerate(resolved):
        if kind == "L" or kind == "N":
            levels.append(2 if base else 0)
        elif kind == "R":
            levels.append(1)
        elif kind == "RN":
            levels.append(2)
        else:  # neutral: the direction on both sides if they agree, else the paragraph's
            before = (
                next((k for k in reversed(resolved[:i]) if k), "R" if base else "L")
                .replace("RN", "R")
                .replace("N", "L")
            )
            after = next((k for k in resolved[i + 1 :] if k), "R" if base else "L")
            after = after.replace("RN", "R").replace("N", "L")
            side = before if before == after else ("R" if base else "L")
            levels.append(1 if side == "R" else (2 if base else 0))
    return levels


def _faces(text: str, chain: FontChain) -> list[int]:
    chosen: list[int | None] = []
    for char in text:
        own = chain.face_for(char) if needs_glyph(char) else None
        if own is not None and not unicodedata.category(char).startswith(("L", "M", "S")):
            # punctuation and digits stay with the word before them when its face has them
            prev = next((f for f in reversed(chosen) if f is not None), None)
            if prev is not None and prev != own and _covers_index(chain, prev, char):
                own = prev
        chosen.append(own)
    first = next((f for f in chosen if f is not None), 0)
    out: list[int] = []
    for face in chosen:  # spaces, joiners and selectors ride with the character before them
        out.append(face if face is not None else (out[-1] if out else first))
    return out


def _covers_index(chain: FontChain, index: int, char: str) -> bool:
    return covers(chain.faces[index], char)


def runs(text: str, chain: FontChain) -> list[Run]:
    """``text`` (one line) as runs in visual order, left to right."""
    if not text:
        return []
    levels = _levels(text)
    faces = _faces(text, chain)
    logical: list[tuple[str, int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or faces[i] != faces[start] or levels[i] != levels[start]:
            logical.append((text[start:i], faces[start], levels[start]))
            start = i
    order = list(range(len(logical)))
    top = max(level for _, _, level in logical)
    lowest_odd = min((lv for _, _, lv in logical if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):  # UAX #9 rule L2, on whole runs
        i = 0
        while i < len(order):
            if logical[order[i]][2] >= level:
                j = i
                while j < len(order) and logical[order[j]][2] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [Run(logical[k][0], logical[k][1], logical[k][2] % 2 == 1) for k in order]


def _length(run: Run, size: int, chain: FontChain) -> float:
    font = face_font(chain.faces[run.face], size)
    if RAQM:
        return float(font.getlength(run.text, direction="rtl" if run.rtl else "ltr"))
    return float(font.getlength(run.text))


def measure(text: str, size: int, chain: FontChain | None = None) -> float:
    """Advance width in pixels of one line of ``text`` at ``size``."""
    fonts = chain or builtin_chain()
    return sum(_length(run, size, fonts) for run in runs(text, fonts))


def metrics(text: str, size: int, chain: FontChain | None = None) -> tuple[int, int]:
    """(ascent, descent) of the line: the largest of the faces it uses and the primary's."""
    fonts = chain or builtin_chain()
    used = {0} | {run.face for run in runs(text, fonts)}
    pairs = [face_font(fonts.faces[i], size).getmetrics() for i in used]
    return max(a for a, _ in pairs), max(d for _, d in pairs)


def draw_line(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    size: int,
    fill: tuple[int, ...],
    chain: FontChain | None = None,
    *,
    stroke_width: int = 0,
    stroke_fill: tuple[int, ...] | None = None,
) -> float:
    """Draw one line with its left end at ``x`` and its baseline at ``y``; returns its width."""
    fonts = chain or builtin_chain()
    x, baseline = xy
    for run in runs(text, fonts):
        font = face_font(fonts.faces[run.face], size)
        draw.text(
            (x, baseline), run.text, font=font, fill=fill, anchor="ls",
            direction=("rtl" if run.rtl else "ltr") if RAQM else None,
            stroke_width=stroke_width, stroke_fill=stroke_fill,
        )  # fmt: skip
        x += _length(run, size, fonts)
    return x - xy[0]


__all__ = ["RAQM", "Run", "draw_line", "face_font", "measure", "metrics", "runs"]
