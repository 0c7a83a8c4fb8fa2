"""The offline planner: a brief becomes 3..7 scenes, deterministically and without any service.

The outline follows the shape of a short ad: a hook, the problem or the people it is for, the
product (and a close-up), the benefit, some proof, and an end card with the call to action. Scene
durations are split from the requested duration by weight and sum to it exactly; every scene
gets a shot type, a transition into it, a voice-over line, an on-screen caption and a visual
prompt; uploaded assets are placed by role (see ``asset_roles``).

``normalize_plan`` enforces the same invariants on a plan from any planner provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from domain.enums import AspectRatio, SceneBeat, SceneContinuity, ShotType, Transition
from domain.errors import Invalid, ValidationErrors
from domain.rules.asset_roles import PlanAsset, assign_assets
from domain.rules.durations import (
    MAX_SCENES,
    MIN_SCENES,
    default_scene_count,
    split_duration,
    to_ms,
)

# --- the brief -------------------------------------------------------------------------------

_LIMITS = {
    "product": 200,
    "audience": 500,
    "tone": 100,
    "call_to_action": 120,
    "language": 35,
    "prompt": 4000,
}
_FIELD_NAMES = {"call_to_action": "callToAction"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Brief:
    """What the ad is about."""

    product: str
    audience: str = ""
    tone: str = ""
    call_to_action: str = ""
    language: str = "en"
    prompt: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "product": self.product,
            "audience": self.audience,
            "tone": self.tone,
            "call_to_action": self.call_to_action,
            "language": self.language,
            "prompt": self.prompt,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Brief:
        """From stored JSON (missing keys take their defaults)."""
        return cls(
            product=str(data.get("product") or ""),
            audience=str(data.get("audience") or ""),
            tone=str(data.get("tone") or ""),
            call_to_action=str(data.get("call_to_action") or ""),
            language=str(data.get("language") or "en"),
            prompt=str(data.get("prompt") or ""),
        )


def clean_brief(
    *,
    product: str,
    audience: str | None = None,
    tone: str | None = None,
    call_to_action: str | None = None,
    language: str | None = None,
    prompt: str | None = None,
) -> Brief:
    """A validated brief: trimmed texts within their limits, no control characters (the prompt
    may have line breaks), a product named, a language tag like ``en`` or ``pt-BR``."""
    values = {
        "product": product,
        "audience": audience,
        "tone": tone,
        "call_to_action": call_to_action,
        "language": language,
        "prompt": prompt,
    }
    cleaned: dict[str, str] = {}
    errors: list[Invalid] = []
    for name, raw in values.items():
        path = ["brief", _FIELD_NAMES.get(name, name)]
        text = (raw or "").strip()
        if name != "prompt":
            text = " ".join(text.split())
        if len(text) > _LIMITS[name]:
            errors.append(Invalid(f"{path[1]} must be at most {_LIMITS[name]} characters", path))
        elif _CONTROL.search(text):
            errors.append(Invalid(f"{path[1]} must not contain control characters", path))
        cleaned[name] = text
    if not cleaned["product"]:
        errors.append(Invalid("product must not be empty", ["brief", "product"]))
    language = cleaned["language"] or "en"
    if not _LANGUAGE.match(language):
        errors.append(
            Invalid("language must be a language tag like en or pt-BR", ["brief", "language"])
        )
    if errors:
        raise ValidationErrors(list(errors))
    return Brief(**{**cleaned, "language": language})


# --- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything a planner gets."""

    brief: Brief
    duration_seconds: float
    aspect_ratio: AspectRatio
    scene_count: int | None = None
    continuity: bool = True
    brand_name: str = ""
    brand_colors: tuple[str, ...] = ()
    assets: tuple[PlanAsset, ...] = ()
    music_asset_id: str | None = None
    captions: bool = True
    voiceover: bool = False


@dataclass(frozen=True, slots=True)
class ScenePlan:
    """One planned scene; ``transition`` is how the scene is entered from the previous one."""

    beat: SceneBeat
    title: str
    description: str
    script: str
    caption: str
    prompt: str
    shot_type: ShotType
    transition: Transition
    duration_seconds: float
    continuity: SceneContinuity
    asset_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A storyboard plan: the scenes in order and the job's music."""

    scenes: tuple[ScenePlan, ...]
    music_asset_id: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def durations(self) -> list[float]:
        return [s.duration_seconds for s in self.scenes]


#: The outline for each scene count.
OUTLINES: dict[int, tuple[SceneBeat, ...]] = {
    3: (SceneBeat.HOOK, SceneBeat.PRODUCT, SceneBeat.END_CARD),
    4: (SceneBeat.HOOK, SceneBeat.PRODUCT, SceneBeat.BENEFIT, SceneBeat.END_CARD),
    5: (
        SceneBeat.HOOK,
        SceneBeat.PROBLEM,
        SceneBeat.PRODUCT,
        SceneBeat.BENEFIT,
        SceneBeat.END_CARD,
    ),
    6: (
        SceneBeat.HOOK,
        SceneBeat.PROBLEM,
        SceneBeat.PRODUCT,
        SceneBeat.DETAIL,
        SceneBeat.BENEFIT,
        SceneBeat.END_CARD,
    ),
    7: (
        SceneBeat.HOOK,
        SceneBeat.PROBLEM,
        SceneBeat.PRODUCT,
        SceneBeat.DETAIL,
        SceneBeat.BENEFIT,
        SceneBeat.PROOF,
        SceneBeat.END_CARD,
    ),
}

#: Relative scene lengths: the product gets a little more time, the end card a little less.
BEAT_WEIGHT: dict[SceneBeat, float] = {
    SceneBeat.HOOK: 0.9,
    SceneBeat.PROBLEM: 1.0,
    SceneBeat.PRODUCT: 1.2,
    SceneBeat.DETAIL: 1.0,
    SceneBeat.BENEFIT: 1.0,
    SceneBeat.PROOF: 1.0,
    SceneBeat.END_CARD: 0.8,
    SceneBeat.CUSTOM: 1.0,
}

BEAT_SHOT: dict[SceneBeat, ShotType] = {
    SceneBeat.HOOK: ShotType.WIDE,
    SceneBeat.PROBLEM: ShotType.MEDIUM,
    SceneBeat.PRODUCT: ShotType.PRODUCT,
    SceneBeat.DETAIL: ShotType.EXTREME_CLOSE_UP,
    SceneBeat.BENEFIT: ShotType.CLOSE_UP,
    SceneBeat.PROOF: ShotType.OVERHEAD,
    SceneBeat.END_CARD: ShotType.MEDIUM,
    SceneBeat.CUSTOM: ShotType.MEDIUM,
}

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

MOOD_TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    ENERGETIC: (Transition.WIPE_LEFT, Transition.SLIDE_UP, Transition.ZOOM, Transition.WIPE_RIGHT),
    CALM: (Transition.DISSOLVE, Transition.FADE),
    PREMIUM: (Transition.FADE, Transition.DISSOLVE),
    SERIOUS: (Transition.DISSOLVE, Transition.WIPE_LEFT),
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
class _Words:
    product: str
    audience: str
    mood: str
    cta: str
    direction: str
    look: str


def _words(request: PlanRequest) -> _Words:
    brief = request.brief
    mood = mood_of(brief.tone)
    colors = ", ".join(request.brand_colors[:3])
    look = _MOOD_LOOK[mood] + (f", brand colors {colors}" if colors else "")
    return _Words(
        product=brief.product,
        audience=brief.audience or "people who want more from every day",
        mood=mood,
        cta=brief.call_to_action or f"Get {brief.product} today",
        direction=_first_sentence(brief.prompt),
        look=look,
    )


def _beat_texts(beat: SceneBeat, w: _Words) -> tuple[str, str, str, str, str]:
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
            f"{p}: {_MOOD_TAGLINE[w.mood].lower()}.",
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


def beats_for(count: int) -> tuple[SceneBeat, ...]:
    """The outline of an ad with ``count`` scenes (3..7)."""
    if count not in OUTLINES:
        raise Invalid(f"sceneCount must be between {MIN_SCENES} and {MAX_SCENES}", ["sceneCount"])
    return OUTLINES[count]


def continuity_for(
    beats: Sequence[SceneBeat], scene_assets: Sequence[Sequence[str]], continuity: bool
) -> list[SceneContinuity]:
    """CONTINUE (first frame = previous clip's last frame) for each scene after the first when the
    job asks for continuity, except the end card and scenes showing an uploaded visual."""
    result = []
    for index, beat in enumerate(beats):
        keeps_going = (
            continuity and index > 0 and beat is not SceneBeat.END_CARD and not scene_assets[index]
        )
        result.append(SceneContinuity.CONTINUE if keeps_going else SceneContinuity.CUT)
    return result


def transitions_for(
    beats: Sequence[SceneBeat], continuity: Sequence[SceneContinuity], mood: str
) -> list[Transition]:
    """How each scene is entered: a CUT into the first and into every CONTINUE scene (the shot
    goes on), a fade into the end card, the mood's palette in turn elsewhere."""
    palette = MOOD_TRANSITIONS[mood]
    result: list[Transition] = []
    turn = 0
    for index, beat in enumerate(beats):
        if index == 0 or continuity[index] is SceneContinuity.CONTINUE:
            result.append(Transition.CUT)
        elif beat is SceneBeat.END_CARD:
            result.append(Transition.FADE)
        else:
            result.append(palette[turn % len(palette)])
            turn += 1
    return result


def visual_prompt(subject: str, shot: ShotType, w: _Words, aspect: AspectRatio) -> str:
    """The image prompt of a scene."""
    parts = [f"{SHOT_WORDS[shot]} of {subject}", w.look, f"{_ASPECT_WORDS[aspect]} composition"]
    if w.direction:
        parts.append(w.direction.rstrip("."))
    parts.append("photorealistic advertising photography, no text")
    return ", ".join(parts)


def plan_offline(request: PlanRequest) -> Plan:
    """Plan a storyboard from the brief alone (deterministic: same request, same plan)."""
    count = request.scene_count or default_scene_count(request.duration_seconds)
    beats = beats_for(count)
    durations = split_duration(request.duration_seconds, [BEAT_WEIGHT[b] for b in beats])
    assignment = assign_assets(beats, request.assets, music_asset_id=request.music_asset_id)
    continuity = continuity_for(beats, assignment.scene_assets, request.continuity)
    w = _words(request)
    transitions = transitions_for(beats, continuity, w.mood)
    scenes = []
    for index, beat in enumerate(beats):
        title, description, script, caption, subject = _beat_texts(beat, w)
        shot = BEAT_SHOT[beat]
        scenes.append(
            ScenePlan(
                beat=beat,
                title=title,
                description=description,
                script=script,
                caption=caption,
                prompt=visual_prompt(subject, shot, w, request.aspect_ratio),
                shot_type=shot,
                transition=transitions[index],
                duration_seconds=durations[index],
                continuity=continuity[index],
                asset_ids=assignment.scene_assets[index],
            )
        )
    return Plan(tuple(scenes), assignment.music_asset_id)


def normalize_plan(request: PlanRequest, plan: Plan) -> Plan:
    """Make any planner's plan keep the rules: 3..7 scenes (the requested count when given),
    durations summing exactly to the request, continuity from the job's flag (never on the first
    scene), CUT into CONTINUE scenes, and only the job's own assets, placed by role when the
    planner placed none."""
    scenes = list(plan.scenes)
    wanted = request.scene_count
    if (
        not scenes
        or (wanted is not None and len(scenes) != wanted)
        or not (MIN_SCENES <= len(scenes) <= MAX_SCENES)
    ):
        return plan_offline(request)
    known = {a.id for a in request.assets}
    beats = [s.beat for s in scenes]
    if not any(s.asset_ids for s in scenes):
        placed = assign_assets(beats, request.assets, music_asset_id=request.music_asset_id)
        asset_lists = [list(ids) for ids in placed.scene_assets]
        music = placed.music_asset_id
    else:
        asset_lists = [[i for i in s.asset_ids if i in known] for s in scenes]
        music = plan.music_asset_id if plan.music_asset_id in known else request.music_asset_id
    weights = [max(s.duration_seconds, 0.001) for s in scenes]
    exact = all(to_ms(s.duration_seconds) > 0 for s in scenes) and sum(
        to_ms(s.duration_seconds) for s in scenes
    ) == to_ms(request.duration_seconds)
    durations = (
        [s.duration_seconds for s in scenes]
        if exact
        else split_duration(request.duration_seconds, weights)
    )
    out = []
    for index, scene in enumerate(scenes):
        continuity = scene.continuity
        if index == 0 or not request.continuity:
            continuity = SceneContinuity.CUT
        transition = (
            Transition.CUT
            if (index == 0 or continuity is SceneContinuity.CONTINUE)
            else scene.transition
        )
        out.append(
            replace(
                scene,
                caption=shorten(scene.caption),
                duration_seconds=durations[index],
                continuity=continuity,
                transition=transition,
                asset_ids=tuple(asset_lists[index]),
            )
        )
    return Plan(tuple(out), music, plan.notes)


__all__ = [
    "BEAT_SHOT",
    "BEAT_WEIGHT",
    "OUTLINES",
    "Brief",
    "Plan",
    "PlanRequest",
    "ScenePlan",
    "beats_for",
    "clean_brief",
    "continuity_for",
    "mood_of",
    "normalize_plan",
    "plan_offline",
    "shorten",
    "transitions_for",
]
