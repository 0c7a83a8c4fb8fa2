"""Where a composition's captions, logo bug and end card go, and how hard the master is encoded."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from domain.adapters.ffmpeg import caption_art, cards, feature_panel, scene_panels
from domain.adapters.ffmpeg.text import chain_for, measure
from domain.enums import CaptionStyle, RenderQuality, SceneLayout, Transition
from domain.media import colors, kinetic
from domain.media.callouts import callout_rows, callout_starts
from domain.media.compose import EndCard, ScenePanel, Still, TextPicture
from domain.media.composition import Composition
from domain.media.fonts import FontChain
from domain.media.geometry import safe_area
from domain.media.inputs import png
from domain.media.layout_geometry import FeatureBoxes, centred, features_boxes, split_regions
from domain.media.text import fit_text
from domain.media.timing import Timeline
from domain.rules.on_screen import repeats

#: x264 (preset, crf) of the composition; exports re-encode from it, so it stays near-transparent.
#: ``superfast`` at CRF 23 measures as ``veryfast`` at 18 did on a 30 s 1080p ad (51.8 against
#: 52.0 dB PSNR, both transparent) for 37% less CPU and a 13% larger file.
COMPOSE_QUALITY: dict[RenderQuality, tuple[str, int]] = {
    RenderQuality.FAST: ("superfast", 26),
    RenderQuality.BALANCED: ("superfast", 23),
    RenderQuality.HIGH: ("medium", 17),
}


#: Seconds between the lines of a kinetic headline coming in.
HEADLINE_STAGGER = 0.15
#: Caption type size as a share of the frame's short side (so captions keep their size from one
#: aspect to another).
CAPTION_SHARE = 0.058


@dataclass(frozen=True, slots=True)
class _Span:
    text: str
    start: float
    end: float
    shortest: float
    words: tuple[tuple[float, float], ...] = ()


class CompositionLayout:
    """Places captions, the small logo and the end card inside the safe area."""

    def __init__(
        self, composition: Composition, timeline: Timeline, work: Path, font: Path
    ) -> None:
        self.c = composition
        self.timeline = timeline
        self.work = work
        self.font = composition.font or font  # a brand font leads the chain when given
        self.size = composition.size
        self.safe = safe_area(composition.size)
        self.unit = min(self.size.width, self.size.height)
        self.palette = colors.palette(composition.brand_colors)

    def _measure(self) -> Callable[[str, int], float]:
        font = self.font
        return lambda text, size: measure(text, size, font)

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

    def _panel_words(self, index: int) -> str:
        """The words scene ``index``'s designed panel shows ("" for none)."""
        scene = self.c.scenes[index]
        text = (scene.caption or "").strip()
        if scene.layout is SceneLayout.FEATURES and self.c.features:
            return " ".join((text, *self.c.features)).strip()
        return text if scene.layout is SceneLayout.SPLIT else ""

    def _timed_over(self, index: int) -> list[int]:
        """The timed captions shown over scene ``index`` (their middle in its window)."""
        start, end = self.timeline.start_seconds(index), self.timeline.end_seconds(index)
        return [
            n for n, c in enumerate(self.c.timed_captions) if start <= (c.start + c.end) / 2 < end
        ]

    def hidden_captions(self, index: int) -> set[int]:
        """The timed captions over scene ``index`` that repeat its panel's words, so are not
        burned in (``domain.rules.on_screen``)."""
        panel = self._panel_words(index)
        if not panel:
            return set()
        captions = self.c.timed_captions
        return {n for n in self._timed_over(index) if repeats(panel, captions[n].text)}

    def _caption_spans(self) -> list[_Span]:
        """Every caption: the timed ones when given (on exactly their frames, with their words'
        times; not over a panel that says the same), else each scene's caption between its
        transitions."""
        if self.c.timed_captions:
            hidden = {n for index in range(len(self.c.scenes)) for n in self.hidden_captions(index)}
            return [
                _Span(c.text, c.start, c.end, 0.0, c.words)
                for n, c in enumerate(self.c.timed_captions)
                if n not in hidden
            ]
        spans = []
        for index, scene in enumerate(self.c.scenes):
            if scene.layout is not SceneLayout.FULL:
                continue  # the layout sets the scene's words itself
            if scene.caption and scene.caption.strip():
                start, end = self.timeline.caption_window(index)
                spans.append(_Span(scene.caption, start, end, 0.3))
        return spans

    def caption_size(self) -> int:
        """The caption's type size: the same share of the frame's short side in every aspect."""
        return round(self.unit * CAPTION_SHARE)

    def captions(self) -> tuple[TextPicture, ...]:
        """Caption pictures (timed to speech, or one per scene between its transitions), before
        the card, their bottom on the safe area's, each phrase rising in and fading out; with
        the HIGHLIGHT style and word times, one picture per spoken word (Pillow, blocking: run
        it in a thread)."""
        pictures: list[TextPicture] = []
        size = self.caption_size()
        pad = max(4, round(size * 0.55))
        width = int((self.safe.width - 2 * pad) * 0.97)
        chain = chain_for(self.font)
        card = self.card_start()
        fps = self.timeline.fps
        style = self.c.caption_style
        shown: list[tuple[_Span, int, int]] = []
        for span in self._caption_spans():
            end = min(span.end, card) if card is not None else span.end
            first, last = round(span.start * fps), round(end * fps)
            if end - span.start < max(span.shortest, 1 / fps) or last <= first:
                continue
            shown.append((span, first, last))
        for number, (span, first, last) in enumerate(shown):
            lines, font_size = fit_text(
                span.text, size=size, width=width, max_lines=3, measure=self._measure()
            )
            words = [(round(a * fps), round(b * fps)) for a, b in span.words]
            parts = kinetic.segments(first, last, words, highlight=style is CaptionStyle.HIGHLIGHT)
            follows = number > 0 and shown[number - 1][2] >= first
            followed = number + 1 < len(shown) and shown[number + 1][1] <= last
            for index, part in enumerate(parts):
                art = caption_art.draw_caption(
                    lines, font_size, self.palette, chain,
                    self.work / f"caption-{number}-{index}.png",
                    style=style, highlight=part.word,
                )  # fmt: skip
                motion = kinetic.motions(parts, fps, art.height, follows=follows,
                                         followed=followed)[index]  # fmt: skip
                pictures.append(
                    TextPicture(
                        png(art.path),
                        x=(self.size.width - art.width) // 2,
                        y=self.safe.bottom - art.height,
                        start=part.start / fps,
                        end=part.end / fps,
                        motion=motion,
                    )
                )
        return tuple(pictures)

    def panels(self) -> tuple[ScenePanel | None, ...]:
        """The picture of each scene's designed layout (a split screen's panel, a quote card),
        ``None`` for the others (Pillow, blocking: run it in a thread)."""
        chain = chain_for(self.font)
        out: list[ScenePanel | None] = []
        for index, scene in enumerate(self.c.scenes):
            text = (scene.caption or "").strip()
            path = self.work / f"panel-{index}.png"
            if scene.layout is SceneLayout.SPLIT and text:
                media, panel = split_regions(self.size)
                scene_panels.split_panel(self.size, panel, self.palette, text, chain, path)
                out.append(ScenePanel(png(path), media))
            elif scene.layout is SceneLayout.FEATURES and self.c.features:
                boxes, _ = self._features_layout(index, chain)
                feature_panel.features_panel(self.size, boxes, self.palette, text, chain, path)
                out.append(ScenePanel(png(path), boxes.picture))
            elif scene.layout is SceneLayout.QUOTE and text:
                scene_panels.quote_card(self.size, self.palette, text, chain, path)
                out.append(ScenePanel(png(path)))
            else:
                out.append(None)
        return tuple(out)

    def headlines(self) -> tuple[TextPicture, ...]:
        """Kinetic headlines: a HEADLINE scene's words set large in the middle of the frame, one
        line after another rising in, over a soft shadow (Pillow, blocking)."""
        pictures: list[TextPicture] = []
        chain = chain_for(self.font)
        fps = self.timeline.fps
        card = self.card_start()
        for index, scene in enumerate(self.c.scenes):
            text = (scene.caption or "").strip()
            if scene.layout is not SceneLayout.HEADLINE or not text:
                continue
            start, end = self.timeline.caption_window(index)
            end = min(end, card) if card is not None else end
            if end - start < 0.5:
                continue
            lines, font_size = fit_text(
                text, size=round(self.unit * 0.12), width=int(self.safe.width * 0.92),
                max_lines=4, measure=self._measure(),
            )  # fmt: skip
            arts = [
                caption_art.draw_caption(
                    [line],
                    font_size,
                    self.palette,
                    chain,
                    self.work / f"headline-{index}-{number}.png",
                    style=CaptionStyle.SHADOW,
                )
                for number, line in enumerate(lines)
            ]
            step = round(font_size * 1.15)
            top = (self.size.height - step * len(arts)) // 2 - arts[0].height // 4
            for number, art in enumerate(arts):
                first = round((start + HEADLINE_STAGGER * number) * fps)
                last = round(end * fps)
                motion = kinetic.motions(
                    (kinetic.Segment(None, first, last),), fps, art.height * 2,
                    follows=False, followed=False,
                )[0]  # fmt: skip
                pictures.append(
                    TextPicture(
                        png(art.path), x=(self.size.width - art.width) // 2,
                        y=top + step * number, start=first / fps, end=last / fps, motion=motion,
                    )
                )  # fmt: skip
        return tuple(pictures)

    def _features_layout(
        self, index: int, chain: FontChain
    ) -> tuple[FeatureBoxes, feature_panel.CalloutType]:
        """A FEATURES scene's boxes (its words clear of the captions shown over it, in the
        middle of the panel's room) and its callouts' type."""
        shown = bool(set(self._timed_over(index)) - self.hidden_captions(index))
        boxes = features_boxes(self.size, captions=shown)
        kind = feature_panel.callout_type(list(self.c.features), boxes.callouts, self.unit, chain)
        return centred(boxes, kind.block), kind

    def callouts(self) -> tuple[TextPicture, ...]:
        """A FEATURES scene's callouts: one row per feature (numbered marker, words), rising in
        one after another in the panel, held until the scene's words go (Pillow, blocking)."""
        pictures: list[TextPicture] = []
        features = list(self.c.features)
        chain = chain_for(self.font)
        fps = self.timeline.fps
        card = self.card_start()
        _, accent = self.palette
        for index, scene in enumerate(self.c.scenes):
            if scene.layout is not SceneLayout.FEATURES or not features:
                continue
            start, end = self.timeline.caption_window(index)
            end = min(end, card) if card is not None else end
            if end - start < 0.5:
                continue
            boxes, kind = self._features_layout(index, chain)
            box = boxes.callouts
            heights = [kind.height(n) for n in range(len(features))]
            tops = callout_rows(box.y, box.height, heights, kind.row_gap)
            starts = callout_starts(start, end, len(features))
            for number, (top, first_s) in enumerate(zip(tops, starts, strict=True)):
                art = feature_panel.callout_art(
                    kind, number, box.width, accent, chain,
                    self.work / f"callout-{index}-{number}.png",
                )  # fmt: skip
                first, last = round(first_s * fps), round(end * fps)
                motion = kinetic.motions(
                    (kinetic.Segment(None, first, last),), fps, art.height,
                    follows=False, followed=False,
                )[0]  # fmt: skip
                pictures.append(
                    TextPicture(
                        png(art.path), x=box.x, y=top, start=first / fps, end=last / fps,
                        motion=motion,
                    )
                )  # fmt: skip
        return tuple(pictures)

    def stills(self, max_pixels: int) -> tuple[Still | None, EndCard | None]:
        """Draw the logo bug and the end card (Pillow, blocking: run it in a thread)."""
        logo = cards.open_logo(self.c.logo, max_pixels) if self.c.logo else None
        bug = None
        if logo is not None:
            ground = colors.shade(self.palette[0], 0.45)  # the built-in scenes' deep ground
            placed = cards.logo_bug(logo, self.size, self.work / "logo-bug.png", ground)
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
