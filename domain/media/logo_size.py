"""How big the end card and the logo bug show a logo, and when that would enlarge it too much
(a job warning)."""

from __future__ import annotations

from domain.media.geometry import safe_area
from domain.media.types import Size

#: A logo is never enlarged more than this: past it, it would look jagged.
MAX_UPSCALE = 2.0
#: The logo bug's room at the top right of the safe area, as shares of the frame's short side.
BUG_WIDTH, BUG_HEIGHT = 0.34, 0.12


def card_logo_box(frame: Size) -> tuple[int, int]:
    """The room for the logo on the end card: wide on landscape, a little lower on portrait."""
    safe = safe_area(frame)
    share = 0.22 if frame.width >= frame.height else 0.2
    return round(safe.width * 0.7), round(safe.height * share)


def upscale(width: int, height: int, frame: Size) -> float:
    """How much a ``width`` x ``height`` logo would be enlarged to fill its room (1.0: none)."""
    box_w, box_h = card_logo_box(frame)
    return max(1.0, min(box_w / max(1, width), box_h / max(1, height)))


def logo_warning(width: int | None, height: int | None, frame: Size) -> str | None:
    """A warning for the job when the logo is too small for the frame, else ``None``."""
    if not width or not height:
        return None
    factor = upscale(width, height, frame)
    if factor <= MAX_UPSCALE:
        return None
    wanted = round(width * factor / MAX_UPSCALE)
    return (
        f"the logo ({width}x{height}) would be enlarged {factor:.1f}x on the "
        f"{frame.width}x{frame.height} end card; it is shown at most {MAX_UPSCALE:g}x (smaller) "
        f"to stay sharp: a logo at least {wanted} pixels wide would fill its room"
    )


__all__ = ["MAX_UPSCALE", "card_logo_box", "logo_warning", "upscale"]
