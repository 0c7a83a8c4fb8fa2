"""``regenerateScene(feedback)``: a scene's script and caption written again.

:class:`SceneRewrite` is what a planner is given; :class:`SceneCopy` what it returns. A hosted
planner asks its model; the built-in one applies a few deterministic rules to the feedback
(:func:`rewrite_offline`), in this order, several at once when the feedback asks for several:

- ``say "…"`` (or ``say: …``, ``say …``): the scene says exactly that, and shows it as its
  caption when it fits on one;
- ``price`` ("mention the price"): the first price or discount found in the brief (``$49``,
  ``€12.50``, ``30% off``) is said first ("Only $49."), else "Great value.";
- ``urgent``, ``hurry``, ``now`` ("more urgent"): "Don't wait!" is said first and the caption
  starts with "Now:";
- ``shorter``, ``shorten``, ``too long``, ``fewer words``, ``less``: the line keeps about half
  of its words (whole sentences, then a clause, then words) and the caption its first words.

Any other feedback leaves the words alone (the key image still takes the feedback). Whatever
the planner, the new script is cut to what can be said in the scene's time
(:func:`finish`), and the caption to its limit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from domain.enums import SceneBeat
from domain.rules.brief import Brief
from domain.rules.narration import script_budget, spoken_units
from domain.rules.planner_copy import CAPTION_MAX, shorten
from domain.rules.script_fit import cut_to_units

_OPEN = "\"'\u201c\u2018"
_CLOSE = "\"'\u201d\u2019"
_SAY = re.compile(
    rf"\bsay\b\s*:?\s*(?:[{_OPEN}](?P<quoted>[^{_CLOSE}]+)[{_CLOSE}]|(?P<rest>[^.!?\n]+))", re.I
)
_PRICE = re.compile(
    r"(?:[$€£¥]\s?\d[\d.,]*|\d[\d.,]*\s?(?:[$€£¥]|(?:usd|eur|gbp)\b)|\d+(?:[.,]\d+)?\s?%\s?off\b"
    r"|\d+(?:[.,]\d+)?\s?%)",
    re.I,
)
_SHORTER = re.compile(
    r"\b(shorter|shorten|too long|fewer words|less|brief|briefer|concise)\b", re.I
)
_URGENT = re.compile(r"\b(urgent|urgency|hurry|now|today|quick|faster)\b", re.I)
_PRICE_ASK = re.compile(r"\b(price|cost|costs|deal|discount|offer|cheap|value)\b", re.I)
#: Caption words kept by "shorter".
_SHORT_CAPTION_WORDS = 4


@dataclass(frozen=True, slots=True)
class SceneRewrite:
    """One scene's words and the feedback to write them again with."""

    brief: Brief
    beat: SceneBeat
    title: str
    description: str
    script: str  # what the scene says now (its narration when one was set)
    caption: str
    duration_seconds: float
    feedback: str
    voiceover: bool = True


@dataclass(frozen=True, slots=True)
class SceneCopy:
    """A scene's new words."""

    script: str
    caption: str


def _sentence(text: str) -> str:
    text = " ".join(text.split()).strip(" ,;:")
    return text if not text or text[-1] in ".!?…" else text + "."


def price_in(brief: Brief) -> str | None:
    """The first price or discount the brief mentions."""
    for text in (brief.call_to_action, brief.product, brief.prompt, brief.audience):
        match = _PRICE.search(text or "")
        if match:
            return match.group(0).strip()
    return None


def said(feedback: str) -> str | None:
    """The words ``say …`` feedback asks for."""
    match = _SAY.search(feedback)
    if not match:
        return None
    text = (match.group("quoted") or match.group("rest") or "").strip()
    return text or None


def rewrite_offline(request: SceneRewrite) -> SceneCopy:
    """The built-in planner's rewrite: the rules of this module, then :func:`finish`."""
    feedback = request.feedback
    script, caption = request.script, request.caption
    words = said(feedback)
    if words is not None:
        script = _sentence(words[:1].upper() + words[1:])
        caption = words if len(words) <= CAPTION_MAX else caption
    else:
        if _SHORTER.search(feedback):
            language = request.brief.language
            units = spoken_units(script, language)
            script = cut_to_units(script, max(1, math.ceil(units / 2)), language)
            caption = " ".join(caption.split()[:_SHORT_CAPTION_WORDS]).rstrip(",;:-")
        if _PRICE_ASK.search(feedback):
            price = price_in(request.brief)
            lead = f"Only {price}." if price and "%" not in price else (
                f"{price}." if price else "Great value."
            )  # fmt: skip
            script = f"{lead[0].upper()}{lead[1:]} {script}".strip()
            if price and price not in caption:
                caption = f"{price}: {caption}" if caption else price
        if _URGENT.search(feedback):
            script = f"Don't wait! {script}".strip()
            caption = f"Now: {caption}" if caption and not caption.startswith("Now:") else caption
    return finish(request, SceneCopy(script, caption))


def finish(request: SceneRewrite, copy: SceneCopy) -> SceneCopy:
    """Any planner's rewrite made to keep the rules: a voiced scene's script within what can be
    said in its time (cut at a sentence, a clause or a word), the caption within its limit."""
    script = " ".join(copy.script.split())
    if request.voiceover:
        language = request.brief.language
        script = cut_to_units(script, script_budget(request.duration_seconds, language), language)
    return SceneCopy(script, shorten(copy.caption))


__all__ = ["SceneCopy", "SceneRewrite", "finish", "price_in", "rewrite_offline", "said"]
