"""The offline planner's copywriting: the words a brief's tone reads as, and the title,
description, voice-over line, caption and visual prompt of each beat.

The texts are deterministic (same request, same words); ``planner`` decides the structure
(beats, shots, durations, transitions, assets) they are written for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.enums import AspectRatio, SceneBeat, ShotType
from domain.rules.brief import CALLOUTS

if TYPE_CHECKING:
    from domain.rules.planner import PlanRequest

SHOT_WORDS: dict[ShotType, str] = {
    ShotType.WIDE: "Wide establishing shot",
    ShotType.MEDIUM: "Medium shot",
    ShotType.CLOSE_UP: "Close-up",
    ShotType.EXTREME_CLOSE_UP: "Extreme close-up",
    ShotType.OVERHEAD: "Overhead flat-lay",
    ShotType.PRODUCT: "Clean product hero shot",
}

# moods: how the tone words of a brief read
ENERGETIC, CALM, PREMIUM, SERIOUS = "energetic", "calm", "premium", "serious"
_MOOD_WORDS: dict[str, tuple[str, ...]] = {
    ENERGETIC: (
        "energetic",
        "bold",
        "fun",
        "playful",
        "exciting",
        "upbeat",
        "dynamic",
        "sporty",
        "vibrant",
        "loud",
        "edgy",
        "young",
        "fast",
    ),
    PREMIUM: (
        "luxury",
        "luxurious",
        "premium",
        "elegant",
        "sophisticated",
        "refined",
        "minimal",
        "minimalist",
        "exclusive",
        "classy",
        "timeless",
    ),
    SERIOUS: (
        "professional",
        "trustworthy",
        "serious",
        "corporate",
        "informative",
        "clear",
        "reliable",
        "expert",
        "technical",
    ),
    CALM: ("calm", "warm", "soft", "relaxed", "gentle", "friendly", "cozy", "natural", "peaceful"),
}

_MOOD_LOOK: dict[str, str] = {
    ENERGETIC: "vivid saturated colors, dynamic angle, crisp daylight",
    CALM: "soft natural light, warm tones, relaxed atmosphere",
    PREMIUM: "elegant studio lighting, deep shadows, refined minimal styling",
    SERIOUS: "clean even lighting, neutral palette, sharp focus",
}

_MOOD_TAGLINE: dict[str, str] = {
    ENERGETIC: "Made to move",
    CALM: "Feel the difference",
    PREMIUM: "Crafted without compromise",
    SERIOUS: "Built to be relied on",
}

_HOOK_OPENERS: dict[str, str] = {
    ENERGETIC: "Ready for something new?",
    CALM: "Take a moment for yourself.",
    PREMIUM: "Some things are simply made better.",
    SERIOUS: "Here is what you need to know.",
}

#: The hook of an ad too short for the opener.
_HOOK_SHORT: dict[str, str] = {
    ENERGETIC: "Ready?",
    CALM: "Breathe.",
    PREMIUM: "Simply better.",
    SERIOUS: "Look.",
}

_ASPECT_WORDS: dict[AspectRatio, str] = {
    AspectRatio.LANDSCAPE_16_9: "landscape 16:9",
    AspectRatio.PORTRAIT_9_16: "vertical 9:16",
    AspectRatio.SQUARE_1_1: "square 1:1",
    AspectRatio.VERTICAL_4_5: "portrait 4:5",
}

CAPTION_MAX = 80


def mood_of(tone: str) -> str:
    """The mood a free-text tone reads as (calm when nothing matches)."""
    words = set(re.findall(r"[a-z]+", tone.casefold()))
    best, hits = CALM, 0
    for mood, vocabulary in _MOOD_WORDS.items():
        count = len(words.intersection(vocabulary))
        if count > hits:
            best, hits = mood, count
    return best


def shorten(text: str, limit: int = CAPTION_MAX) -> str:
    """``text`` when it fits, else cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return (cut or text[: limit - 1]) + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text).strip()


@dataclass(frozen=True, slots=True)
class Words:
    """What the texts of one plan are made of."""

    product: str
    audience: str
    mood: str
    cta: str
    direction: str
    look: str
    features: tuple[str, ...] = ()  # the callouts of the benefit scene (at most four)


def words_for(request: PlanRequest) -> Words:
    """The product, audience, mood, call to action, direction and look of a request."""
    brief = request.brief
    mood = mood_of(brief.tone)
    colors = ", ".join(request.brand_colors[:3])
    look = _MOOD_LOOK[mood] + (f", brand colors {colors}" if colors else "")
    return Words(
        product=brief.product,
        audience=brief.audience or "people who want more from every day",
        mood=mood,
        cta=brief.call_to_action or f"Get {brief.product} today",
        direction=_first_sentence(brief.prompt),
        look=look,
        features=brief.features[: CALLOUTS[1]],
    )


def _inline(feature: str) -> str:
    """A feature line inside a sentence: its first letter small unless it starts a name or an
    acronym ("SPF 30", "iPhone"), its closing stop dropped."""
    text = feature.strip().rstrip(".!;")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def listed(features: tuple[str, ...]) -> str:
    """Features said as one list: "a", "a and b", "a, b and c"."""
    items = [_inline(f) for f in features]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def feature_lines(product: str, short: str, features: tuple[str, ...]) -> list[str]:
    """The benefit scene's lines from the brief's features, longest first: every feature, then
    fewer, with the product's name then its short name."""
    lines = []
    for count in range(len(features), 0, -1):
        said = listed(features[:count])
        lines += [f"{product}: {said}.", f"{short}: {said}."]
    return lines


def beat_texts(beat: SceneBeat, w: Words) -> tuple[str, str, str, str, str]:
    """Title, description, script, caption and the subject of the visual prompt."""
    p, a = w.product, w.audience
    if beat is SceneBeat.HOOK:
        return (
            "Hook",
            f"Open on a striking scene that speaks to {a}.",
            f"{_HOOK_OPENERS[w.mood]} Meet {p}.",
            p,
            f"a scene from the everyday life of {a}, hinting at {p}",
        )
    if beat is SceneBeat.PROBLEM:
        return (
            "Why it matters",
            f"Show the moment {a} need something better.",
            f"Made for {a}.",
            shorten(f"Made for {a}", 48),
            f"{a} in a relatable everyday moment",
        )
    if beat is SceneBeat.PRODUCT:
        return (
            f"Meet {shorten(p, 60)}",
            f"Reveal {p} clearly, centered and well lit.",
            _sentence(w.direction) if w.direction else f"This is {p}.",
            p,
            f"{p}, centered, the hero of the frame",
        )
    if beat is SceneBeat.DETAIL:
        return (
            "Up close",
            f"Move in on the details that make {p} stand out.",
            "Every detail is there for a reason.",
            "Every detail matters",
            f"the finest details and textures of {p}",
        )
    if beat is SceneBeat.BENEFIT:
        return (
            "The benefit",
            f"Show {a} enjoying what {p} gives them.",
            f"{p}: {listed(w.features)}."
            if w.features
            else f"{p}: {_MOOD_TAGLINE[w.mood].lower()}.",
            _MOOD_TAGLINE[w.mood],
            f"{a} enjoying {p}, a satisfied moment",
        )
    if beat is SceneBeat.PROOF:
        return (
            "See it in action",
            f"Show {p} in real use, from above.",
            f"See what sets {p} apart.",
            "See the difference",
            f"{p} in real use, arranged from above",
        )
    if beat is SceneBeat.END_CARD:
        return (
            "End card",
            "Close on the brand with the call to action.",
            _sentence(w.cta),
            shorten(w.cta),
            f"a clean backdrop for the brand's end card with {p}",
        )
    return ("Scene", "", "", "", p)


_NAME_SPLIT = re.compile(r"\s+(?:and|with|for|by|&|\+)\s+|\s*[,:;(\u2013\u2014|]\s*|\s+-\s+")


def short_name(product: str) -> str:
    """The product's name without what follows it ("TrailRunner 2 shoes and the Summit bottle"
    is "TrailRunner 2 shoes"); at most four words."""
    head = _NAME_SPLIT.split(" ".join(product.split()), maxsplit=1)[0].strip()
    words = (head or product).split()
    return " ".join(words[:4])


def script_lines(beat: SceneBeat, w: Words) -> tuple[str, ...]:
    """The voice-over lines a beat can say, longest first (the planner keeps the longest one
    that fits the scene's time)."""
    p, a, s = w.product, w.audience, short_name(w.product)
    tagline = _MOOD_TAGLINE[w.mood]
    opener = _HOOK_OPENERS[w.mood]
    if beat is SceneBeat.HOOK:
        lines = [
            f"{opener} Meet {p}, made for {a}.",
            f"{opener} Meet {p}.",
            f"{opener} Meet {s}.",
            f"Meet {p}.",
            f"Meet {s}.",
            f"{s}.",
            _HOOK_SHORT[w.mood],
        ]
    elif beat is SceneBeat.PROBLEM:
        lines = [f"You want more from every day. {p} is made for {a}.", f"Made for {a}.",
                 "Made for you."]  # fmt: skip
    elif beat is SceneBeat.PRODUCT:
        direction = _sentence(w.direction[:1].upper() + w.direction[1:]) if w.direction else ""
        lines = [f"This is {p}. {direction}", direction, f"This is {p}.", f"This is {s}.",
                 f"{s}."]  # fmt: skip
    elif beat is SceneBeat.DETAIL:
        lines = [f"Look closer: every detail of {p} is there for a reason.",
                 "Every detail is there for a reason.", "Every detail matters.", "Pure detail."]  # fmt: skip
    elif beat is SceneBeat.BENEFIT:
        lines = [f"{p}: {tagline.lower()}, so you can do more.", f"{p}: {tagline.lower()}.",
                 f"{s}: {tagline.lower()}.", f"{tagline}."]  # fmt: skip
        if w.features:  # the features said, the tagline only when none fits
            lines = [*feature_lines(p, s, w.features), f"{tagline}."]
    elif beat is SceneBeat.PROOF:
        lines = [f"See what sets {p} apart, every single day.", f"See what sets {p} apart.",
                 f"See what sets {s} apart.", "See the difference."]  # fmt: skip
    elif beat is SceneBeat.END_CARD:
        lines = [_sentence(w.cta)]
    else:
        lines = []
    return tuple(dict.fromkeys(" ".join(line.split()) for line in lines if line.strip()))


def visual_prompt(subject: str, shot: ShotType, w: Words, aspect: AspectRatio) -> str:
    """The image prompt of a scene."""
    parts = [f"{SHOT_WORDS[shot]} of {subject}", w.look, f"{_ASPECT_WORDS[aspect]} composition"]
    if w.direction:
        parts.append(w.direction.rstrip("."))
    parts.append("photorealistic advertising photography, no text")
    return ", ".join(parts)


__all__ = [
    "CALM",
    "CAPTION_MAX",
    "ENERGETIC",
    "PREMIUM",
    "SERIOUS",
    "SHOT_WORDS",
    "Words",
    "beat_texts",
    "feature_lines",
    "listed",
    "mood_of",
    "script_lines",
    "short_name",
    "shorten",
    "visual_prompt",
    "words_for",
]
