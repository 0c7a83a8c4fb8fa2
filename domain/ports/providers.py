"""Generation provider ports: key images and scene clips (the planner port joins them here).

Requests and results are plain dataclasses with local paths; a provider writes its output to the
path it is given and reports what the call cost. Providers classify their own failures into
domain errors (retryable ones included) at their boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from domain.enums import AssetRole, ShotType
from domain.media.types import ProgressCallback, Size
from domain.rules.planner import Plan, PlanRequest
from domain.rules.scene_rewrite import SceneCopy, SceneRewrite


@dataclass(frozen=True, slots=True)
class GeneratedMedia:
    """What one provider call produced and cost."""

    path: Path
    provider: str
    model: str
    cost_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class ImageRequest:
    """One scene's key image.

    ``source_image`` is a brand asset to build the frame around (its ``source_role`` says how:
    PRODUCT/CHARACTER are fitted whole over a blurred fill, BACKGROUND fills the frame).

    ``title`` is the planner's label for the scene ("Hook", "End card"): context for a provider,
    never drawn and never sent as words to put in the picture. A key image carries no text unless
    ``text`` asks for it: on-screen copy (captions, headline, call to action) is drawn at
    composition, inside the safe area, so ``text`` stays empty in the pipeline; it exists for
    callers that want ad copy baked into a still.

    ``cover``: an uploaded photo (``source_image`` without transparency) covers the whole frame
    around its focal point whatever the two shapes (an export's key image made again for the
    box its layout gives the clip), instead of a card when the shapes are far apart.

    ``character_image`` (the job's character, when the scene shows it and the clip is made by a
    hosted model): hosted models that take a subject or reference image draw it into the frame;
    the built-in provider ignores it (the built-in clip composites the character instead).
    """

    size: Size
    title: str = ""
    prompt: str = ""
    shot_type: ShotType = ShotType.MEDIUM
    brand_colors: tuple[str, ...] = ()
    source_image: Path | None = None
    source_role: AssetRole | None = None
    text: str = ""
    seed: int = 0
    feedback: str | None = None
    #: the job's character when the scene's key image depends on it: a hosted model's subject
    #: reference; for the built-in provider, where the subject must stand clear of it
    character_image: Path | None = None
    cover: bool = False


@dataclass(frozen=True, slots=True)
class VideoRequest:
    """One scene's clip of ``duration_seconds`` (ask for ``Timeline.clip_frames(i) / fps``).

    ``start_image`` (a CONTINUE scene): the clip's first frame must be exactly this picture,
    the previous clip's last frame; the clip then moves on towards ``image``.

    ``character_image`` (the job's character, when the scene shows it): the built-in provider
    composites it over the clip; hosted models that take a subject or reference image get it.
    ``task`` remembers the provider's task ID of this call across crashes (a provider that
    submits asynchronous tasks resumes the accepted one instead of submitting it again).
    """

    image: Path
    size: Size
    duration_seconds: float
    fps: int = 30
    shot_type: ShotType = ShotType.MEDIUM
    prompt: str = ""
    start_image: Path | None = None
    seed: int = 0
    character_image: Path | None = None


class ImageProvider(Protocol):
    """Makes key images."""

    name: str

    def estimate_usd(self, request: ImageRequest) -> float:
        """Price of :meth:`generate_image` for ``request``, before calling it."""
        ...

    async def generate_image(self, request: ImageRequest, output: Path) -> GeneratedMedia:
        """Write a PNG of ``request.size`` to ``output``."""
        ...


class VideoProvider(Protocol):
    """Makes scene clips from key images."""

    name: str

    def estimate_usd(self, request: VideoRequest) -> float:
        """Price of :meth:`generate_clip` for ``request``, before calling it."""
        ...

    async def generate_clip(
        self,
        request: VideoRequest,
        output: Path,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> GeneratedMedia:
        """Write an MP4 of ``request.size`` and duration to ``output``."""
        ...


class PlannerProvider(Protocol):
    """Turns a brief into a storyboard plan (3..7 scenes).

    ``ref`` is the provider reference of the price table (``"builtin"``, ``"openai:gpt-4o-mini"``).
    The plan is passed through ``domain.rules.planner.normalize_plan`` afterwards, so durations,
    continuity and asset placement keep the rules whatever the provider returns.
    """

    ref: str

    async def plan(self, request: PlanRequest) -> Plan:
        """Plan the scenes for ``request``."""
        ...

    async def rewrite_scene(self, request: SceneRewrite) -> SceneCopy:
        """One scene's script and caption written again with ``request.feedback``."""
        ...


__all__ = [
    "GeneratedMedia",
    "ImageProvider",
    "ImageRequest",
    "PlannerProvider",
    "VideoProvider",
    "VideoRequest",
]
