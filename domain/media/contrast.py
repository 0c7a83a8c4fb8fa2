"""Legibility: WCAG contrast ratios, and a caption box dark enough for white words on any frame."""

from __future__ import annotations

from domain.media.colors import RGB, luminance, mix, shade

#: WCAG AA for normal text: what every caption, headline and button label keeps.
MIN_CONTRAST = 4.5


def ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours (1 .. 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(color: RGB, opacity: float, behind: RGB) -> RGB:
    """``color`` at ``opacity`` composited over ``behind`` (as the overlay filter blends)."""
    return mix(behind, color, opacity)


def box_for(text: RGB, brand: RGB, opacity: float, target: float = MIN_CONTRAST) -> RGB:
    """The brand colour, shaded until ``text`` on it keeps ``target`` contrast whatever is behind
    the box (its worst case: a white or a black frame showing through its transparency)."""
    box = brand
    for _ in range(40):
        worst = min(ratio(text, over(box, opacity, bg)) for bg in ((255, 255, 255), (0, 0, 0)))
        if worst >= target + 0.3:
            return box
        box = shade(box, 0.15)
    return box


__all__ = ["MIN_CONTRAST", "box_for", "over", "ratio"]
