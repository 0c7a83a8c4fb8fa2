"""What a pipeline stage hands the media engine: plain paths, numbers and enums.

No database rows, no storage objects: the stage downloads what it needs to local files, calls
the engine, and stores what comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from domain.enums import (
    AspectRatio,
    CaptionStyle,
    RenderQuality,
    Resolution,
    SceneLayout,
    Transition,
    VideoFormat,
)
from domain.media.audio import WEB_LOUDNESS, LoudnessTarget
from domain.media.timing import DEFAULT_FPS
from domain.media.types import Size


@dataclass(frozen=True, slots=True)
class SceneClip:
    """One scene's clip and how it appears in the ad.

    ``transition`` is how the scene is *entered* (ignored for the first scene). The clip should
    last ``Timeline.clip_frames(i) / fps`` seconds; a longer one is trimmed, a shorter one holds its last frame.
    """

    clip: Path
    duration_seconds: float
    transition: Transition = Transition.CUT
    caption: str | None = None
    sound: bool = False  # the clip's own sound is heard (footage mixed under the narration)
    layout: SceneLayout = SceneLayout.FULL  # the others: the caption is (part of) the design


@dataclass(frozen=True, slots=True)
class VoiceOver:
    """A voice-over file starting ``start_seconds`` into the ad (music ducks under it)."""

    path: Path
    start_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class TimedCaption:
    """A caption on screen from ``start`` to ``end`` seconds into the ad (timed to speech);
    ``words`` holds when each of its words is spoken (seconds), for the word highlight."""

    text: str
    start: float
    end: float
    words: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Composition:
    """A whole ad. Total length = sum of the scene durations (to the frame).

    An end card (brand colours, logo, headline, call to action) covers the last
    ``end_card_seconds`` of the final scene (at most half of it) when ``call_to_action`` or
    ``logo`` is given. With ``end_card_scene`` the final scene *is* the end card (the planner's
    END_CARD beat): the card fills it, coming in halfway through the transition into it.
    With ``timed_captions`` (the narration's phrases) those are burned in instead of each
    scene's one caption.
    """

    scenes: tuple[SceneClip, ...]
    size: Size
    fps: int = DEFAULT_FPS
    brand_colors: tuple[str, ...] = ()
    logo: Path | None = None
    font: Path | None = None  # a brand font: first in the chain of captions and the end card
    call_to_action: str | None = None
    end_card_headline: str | None = None
    end_card_seconds: float = 2.5
    end_card_scene: bool = False
    music: Path | None = None
    voice: tuple[VoiceOver, ...] = ()
    timed_captions: tuple[TimedCaption, ...] = ()
    caption_style: CaptionStyle = CaptionStyle.BOX
    features: tuple[str, ...] = ()  # what a FEATURES scene calls out (2 to 4 lines)
    loudness: LoudnessTarget = WEB_LOUDNESS
    quality: RenderQuality = RenderQuality.BALANCED

    @property
    def has_end_card(self) -> bool:
        return bool(self.call_to_action) or self.logo is not None


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """One export: container/codecs, frame size and shape, encoder effort, how to fit."""

    format: VideoFormat = VideoFormat.MP4
    resolution: Resolution = Resolution.P1080
    aspect_ratio: AspectRatio = AspectRatio.LANDSCAPE_16_9
    quality: RenderQuality = RenderQuality.BALANCED
    fit: Literal["blur", "pad"] = "blur"


__all__ = ["Composition", "RenderOptions", "SceneClip", "TimedCaption", "VoiceOver"]
