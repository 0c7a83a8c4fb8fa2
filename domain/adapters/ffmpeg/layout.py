"""Where a composition's captions, logo bug and end card go, and how hard the master is encoded."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from domain.adapters.ffmpeg import cards
from domain.adapters.ffmpeg.text import measure
from domain.enums import RenderQuality, Transition
from domain.media import colors
from domain.media.compose import TEXT_FADE_SECONDS, EndCard, Still, TextLayer
from domain.media.composition import Composition
from domain.media.geometry import safe_area
from domain.media.inputs import png
from domain.media.text import fit_text
from domain.media.timing import Timeline

#: x264 (preset, crf) of the composition; exports re-encode from it, so it stays near-transparent.
COMPOSE_QUALITY: dict[RenderQuality, tuple[str, int]] = {
    RenderQuality.FAST: ("superfast", 20),
    RenderQuality.BALANCED: ("veryfast", 18),
    RenderQuality.HIGH: ("medium", 17),
}


class CompositionLayout:
    """Places captions, the small logo and the end card inside the safe area."""

    def __init__(
        self, composition: Composition, timeline: Timeline, work: Path, font: Path
    ) -> None:
        self.c = composition
        self.timeline = timeline
        self.work = work
        self.font = font
        self.size = composition.size
        self.safe = safe_area(composition.size)
        self.unit = min(self.size.width, self.size.height)
        self.palette = colors.palette(composition.brand_colors)

    def _measure(self) -> Callable[[str, int], float]:
        font = self.font
        return lambda text, size: measure(text, size, font)

    def _write(self, name: str, lines: list[str]) -> Path:
        path = self.work / name
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    def card_start(self) -> float | None:
        """When the end card shows (seconds), or ``None`` without one."""
        if not self.c.has_end_card:
            return None
        tl = self.timeline
        last = tl.scene_count - 1
        if self.c.end_card_scene and last > 0:  # from the middle of the transition into it
            return (tl.boundaries[last] + tl.overlaps[last] // 2) / tl.fps
        length = min(self.c.end_card_seconds, 0.5 * tl.scene_frames(last) / tl.fps)
        return round((tl.total_seconds - length) * tl.fps) / tl.fps

    def _caption_spans(self) -> list[tuple[str, float, float, float]]:
        """(text, start, end, shortest shown) of every caption: the timed ones when given,
        else each scene's caption between its transitions."""
        if self.c.timed_captions:
            # drawtext shows a layer while start <= t <= end, with the times written to the ms: half
            # a frame early on both ends keeps a cue on exactly its frames [start, end)
            half = 0.5 / self.timeline.fps
            return [(c.text, c.start - half, c.end - half, half) for c in self.c.timed_captions]
        spans = []
        for index, scene in enumerate(self.c.scenes):
            if scene.caption and scene.caption.strip():
                start, end = self.timeline.caption_window(index)
                spans.append((scene.caption, start, end, 0.3))
        return spans

    def captions(self) -> tuple[TextLayer, ...]:
        """One text layer per caption (timed to speech, or one per scene), before the card."""
        layers: list[TextLayer] = []
        size = round(self.unit * 0.058)
        first = self.palette[0]  # a brand-coloured box, dark enough for white words
        box_rgb = first if colors.luminance(first) < 0.18 else colors.shade(first, 0.55)
        box = f"{colors.to_ffmpeg(box_rgb)}@0.88"
        pad = max(4, round(size * 0.35))
        width = int((self.safe.width - 2 * pad) * 0.97)
        card = self.card_start()
        for index, (text, start, end, shortest) in enumerate(self._caption_spans()):
            if card is not None:
                end = min(end, card)
            if end - start < shortest:
                continue
            lines, font_size = fit_text(
                text, size=size, width=width, max_lines=3, measure=self._measure()
            )
            layers.append(
                TextLayer(
                    text_file=self._write(f"caption-{index}.txt", lines),
                    font_size=font_size,
                    start=start,
                    end=end,
                    y=self.safe.bottom - pad,
                    anchor="bottom",
                    box_color=box,
                    line_spacing=round(font_size * 0.2),
                    fade=0.0 if self.c.timed_captions else TEXT_FADE_SECONDS,
                )
            )
        return tuple(layers)

    def stills(self, max_pixels: int) -> tuple[Still | None, EndCard | None]:
        """Draw the logo bug and the end card (Pillow, blocking: run it in a thread)."""
        logo = cards.open_logo(self.c.logo, max_pixels) if self.c.logo else None
        bug = None
        if logo is not None:
            placed = cards.logo_bug(logo, self.size, self.work / "logo-bug.png")
            bug = Still(png(placed.path), placed.x, placed.y)
        start = self.card_start()
        if start is None:
            return bug, None
        text = cards.CardText(self.c.end_card_headline, self.c.call_to_action)
        backdrop, words = cards.end_card(
            self.size, self.palette, text, logo, self.font,
            self.work / "card.png", self.work / "card-words.png",
        )  # fmt: skip
        tl = self.timeline
        last = tl.scene_count - 1
        if self.c.end_card_scene and tl.transitions[last] is Transition.FADE:
            # the logo goes down with the dip, the card comes up from its black middle
            half = tl.overlaps[last] // 2 / tl.fps
            rest = tl.overlaps[last] / tl.fps - half
            if bug is not None:
                bug = dataclasses.replace(bug, fade_out=half)
            return bug, EndCard(
                start, png(backdrop), png(words) if words else None, fade=rest, from_black=True
            )
        return bug, EndCard(start, png(backdrop), png(words) if words else None)


__all__ = ["COMPOSE_QUALITY", "CompositionLayout"]
