"""Prompts sent to hosted image and video models, built from a scene's request."""

from __future__ import annotations

from domain.enums import ShotType
from domain.ports.providers import ImageRequest, VideoRequest

#: Camera motion that suits each shot type (video models animate the key image with it).
CAMERA_MOTION: dict[ShotType, str] = {
    ShotType.WIDE: "slow establishing pan",
    ShotType.MEDIUM: "gentle push-in",
    ShotType.CLOSE_UP: "slow dolly in",
    ShotType.EXTREME_CLOSE_UP: "slow macro drift",
    ShotType.OVERHEAD: "slow top-down rotation",
    ShotType.PRODUCT: "slow orbit around the product",
}

_MAX_PROMPT = 2000


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_PROMPT else text[: _MAX_PROMPT - 1].rstrip() + "…"


def image_prompt(request: ImageRequest) -> str:
    """The key image's prompt: the scene's visual prompt, the latest feedback and the brand
    colours. The scene title is never sent (it is a label, not words for the picture); on-screen
    copy is drawn at composition, so the picture has no text unless the request asks for some."""
    parts = [request.prompt.strip() or "a clean, well lit advertising photograph"]
    if request.feedback and request.feedback.strip():
        parts.append(f"Revision notes: {request.feedback.strip()}")
    if request.brand_colors:
        parts.append("colour palette " + ", ".join(request.brand_colors[:4]))
    text = str(getattr(request, "text", "") or "").strip()
    parts.append(f'with the words "{text}" clearly legible' if text else "no text, no lettering")
    return _clip(". ".join(p.rstrip(". ") for p in parts))


def video_prompt(request: VideoRequest) -> str:
    """The clip's prompt: the scene's visual prompt and the camera motion of its shot type."""
    subject = request.prompt.strip() or "the scene in the image"
    motion = CAMERA_MOTION.get(request.shot_type, "gentle camera motion")
    return _clip(f"{subject.rstrip('. ')}. {motion}, smooth and steady, no text on screen")


__all__ = ["CAMERA_MOTION", "image_prompt", "video_prompt"]
